package dev.junction.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/** {@code GET /v1/models}: {@code {"object": "list", "data": [models]}}. */
@JsonPropertyOrder({"object", "data"})
public record ModelList(List<Model> data) {
    public ModelList {
        data = List.copyOf(data);
    }

    @JsonProperty("object")
    public String object() {
        return "list";
    }
}
