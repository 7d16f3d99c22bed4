package dev.junction.engine.tensor;

/** Registry of the {@link QuantFormat} implementations, one per supported {@link GgmlType}. */
final class QuantFormats {
    private QuantFormats() {}

    static QuantFormat of(GgmlType type) {
        return switch (type) {
            case F32 -> F32Format.INSTANCE;
            case F16 -> F16Format.INSTANCE;
            case BF16 -> Bf16Format.INSTANCE;
            case Q8_0 -> Q8_0Format.INSTANCE;
            case Q4_0 -> Q4_0Format.INSTANCE;
            case Q4_1 -> Q4_1Format.INSTANCE;
            case Q5_0 -> Q5_0Format.INSTANCE;
            case Q5_1 -> Q5_1Format.INSTANCE;
            case Q2_K -> Q2_KFormat.INSTANCE;
            case Q3_K -> Q3_KFormat.INSTANCE;
            case Q4_K -> Q4_KFormat.INSTANCE;
            case Q5_K -> Q5_KFormat.INSTANCE;
            case Q6_K -> Q6_KFormat.INSTANCE;
            case Q8_K -> Q8_KFormat.INSTANCE;
            case IQ4_NL -> IQ4_NLFormat.INSTANCE;
            case IQ4_XS -> IQ4_XSFormat.INSTANCE;
            case MXFP4 -> Mxfp4Format.INSTANCE;
            default -> throw new UnsupportedOperationException("no kernels for tensor type " + type);
        };
    }
}
