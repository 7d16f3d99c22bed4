package dev.junction.openai.relay;

/** The OpenAI API calls the router passes on, by the path a supplier serves them at. */
public enum Endpoint {
    CHAT("chat/completions"),
    COMPLETIONS("completions");

    private final String path;

    Endpoint(String path) {
        this.path = path;
    }

    /** The path below an OpenAI API base ({@code …/v1}) or an Azure deployment. */
    public String path() {
        return path;
    }
}
