package dev.junction.cli;

import picocli.CommandLine.Option;

/** {@code --mmap}, declared once for every command that loads a model (a picocli mixin). */
final class MmapOption {
    @Option(names = "--mmap", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Memory-map the weights instead of reading them into memory (default: read; "
                    + "--no-mmap is accepted too). Mapped pages were slower and erratic on the VMs measured.")
    boolean enabled;
}
