package dev.junction.gateway.tenant;

/** A key just created, with its secret: the one moment the secret exists outside the client's hands. */
public record IssuedKey(ApiKey key, String secret) {
    @Override
    public String toString() {
        return "IssuedKey[" + key.id() + ", " + key.prefix() + "…]";
    }
}
