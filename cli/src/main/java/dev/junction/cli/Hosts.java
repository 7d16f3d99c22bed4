package dev.junction.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Whether an address to bind stays on this machine; this node's name among several. */
final class Hosts {
    private Hosts() {
    }

    /** True for loopback addresses and names that resolve to one ({@code localhost}); false for 0.0.0.0 and others. */
    static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) return false;
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) return false;
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A name for this process among the nodes sharing a database: host, process id and a random tail. */
    static String nodeName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "node";
        }
        String name = host + "-" + ProcessHandle.current().pid() + "-"
                + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 40, 36);
        return name.length() <= 40 ? name : name.substring(name.length() - 40);
    }
}
