package dev.junction.engine.model;

/** How rotary position embedding pairs the elements of a head. */
public enum RopeStyle {
    /** Adjacent pairs {@code (2i, 2i+1)}: the original Llama layout. */
    NORMAL,
    /** Halves {@code (i, i + d/2)}: GPT-NeoX layout, used by Qwen. */
    NEOX
}
