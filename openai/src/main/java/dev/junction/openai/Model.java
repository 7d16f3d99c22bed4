package dev.junction.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A served model as {@code GET /v1/models/{id}} shows it: {@code "object": "model"}.
 *
 * @param created when it was loaded, in seconds since the epoch
 */
@JsonPropertyOrder({"id", "object", "created", "owned_by"})
public record Model(String id, long created, String ownedBy) {
    @JsonProperty("object")
    public String object() {
        return "model";
    }
}
