package dev.junction.gateway.usage;

import dev.junction.gateway.db.Database;
import org.jdbi.v3.core.Handle;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dictionary of texts the ledger's rows refer to by number ({@code usage_labels}): ids of organizations, keys and
 * users, public model and supplier names. A name once interned keeps its id forever, so the mapping is cached in
 * memory. Ids are handed out as the largest plus one; when two nodes add at once, the unique indexes let one win and
 * the other retries and reads the winner's id.
 */
final class Labels {
    /** The label id that stands for "none" (no organization, no user); never stored in {@code usage_labels}. */
    static final int NONE = 0;
    private static final int ATTEMPTS = 20;

    private final Database db;
    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();

    Labels(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** The id of {@code name}, interning it in its own committed transaction when it is new. */
    int id(String name) {
        Integer cached = ids.get(name);
        if (cached != null) return cached;
        int id = db.inTransaction(h -> intern(h, name));
        ids.put(name, id);
        return id;
    }

    /** {@link #NONE} when empty, else the id of the name. */
    int idOrNone(Optional<String> name) {
        return name.map(this::id).orElse(NONE);
    }

    private static int intern(Handle h, String name) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<Integer> found = find(h, name);
            if (found.isPresent()) return found.get();
            int next = h.createQuery("SELECT COALESCE(MAX(id), 0) + 1 FROM usage_labels").mapTo(Integer.class).one();
            // Another node may take this id or this name first: then nothing is inserted and we look again.
            h.createUpdate("INSERT INTO usage_labels (id, name) VALUES (:id, :name) ON CONFLICT DO NOTHING")
                    .bind("id", next).bind("name", name).execute();
        }
        throw new IllegalStateException("could not intern a usage label after " + ATTEMPTS + " attempts");
    }

    private static Optional<Integer> find(Handle h, String name) {
        return h.createQuery("SELECT id FROM usage_labels WHERE name = :name").bind("name", name)
                .mapTo(Integer.class).findOne();
    }
}
