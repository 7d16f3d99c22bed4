package dev.junction.gateway.db;

import dev.junction.gateway.TestDatabase;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Cells changed from many threads over two connection pools (two nodes) lose no update, on both databases. */
class SharedCellsContractTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void concurrentIncrementsFromTwoNodesAllCount(TestDatabase kind) throws Exception {
        DatabaseUrl url = kind.url(dir);
        try (Database one = Database.open(url); Database two = Database.open(url);
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<SharedCells> nodes = List.of(new SharedCells(one), new SharedCells(two));
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                SharedCells cells = nodes.get(t % 2);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        cells.update("counter", bytes -> {
                            long n = bytes == null ? 0 : ByteBuffer.wrap(bytes).getLong();
                            return new SharedCells.Written<>(ByteBuffer.allocate(8).putLong(n + 1).array(), n + 1);
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            long total = nodes.get(0).update("counter", bytes ->
                    new SharedCells.Written<>(bytes, ByteBuffer.wrap(bytes).getLong()));
            assertThat(total).isEqualTo(400);
            byte[] fresh = nodes.get(1).update("other", bytes -> new SharedCells.Written<>(new byte[]{1}, bytes));
            assertThat(fresh).as("a new cell starts empty").isNull();
        }
    }
}
