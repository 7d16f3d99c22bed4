package dev.junction.engine.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.collections.PyMap;
import com.hubspot.jinjava.tree.Node;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import jinjava.javax.el.CompositeELResolver;

/**
 * Turns a conversation into the exact prompt text a chat model was trained on, using the model's own Hugging Face
 * Jinja template (the {@code tokenizer.chat_template} GGUF metadata string) so that Junction's prompts match what
 * {@code transformers.apply_chat_template} produces.
 *
 * <p>Templates are rendered with Jinjava set up like Hugging Face's Jinja2 environment: {@code trim_blocks} and
 * {@code lstrip_blocks} on, Python escapes in string literals decoded, one trailing newline of the source dropped,
 * Jinja2 operator precedence (filters bind tighter than {@code +}), Python {@code str} methods such as
 * {@code .startswith()} and {@code .split()}, and the globals HF provides: {@code raise_exception(msg)} (which
 * becomes a {@link ChatTemplateException}) and {@code strftime_now(fmt)}. Variables are {@code messages} (maps with
 * {@code role} and {@code content}), {@code add_generation_prompt}, {@code bos_token} and {@code eos_token};
 * {@code tools}, {@code documents} and {@code date_string} are left undefined, as HF leaves them when no tools are
 * given, unless passed through {@link #render(List, boolean, Map)}.
 *
 * <p>The rendered text contains whatever special tokens the template writes, {@code bos_token} included for
 * Llama-style templates, so it should be tokenized with special-token parsing on and without adding a second BOS.
 *
 * <p>The template is parsed once, when created (syntax errors surface then); instances are immutable and
 * {@link #render} is safe to call from many threads at once.
 */
public final class ChatTemplate {
    /** Builtin families known to {@link #fallbackFor}. */
    public static final List<String> FALLBACK_FAMILIES = List.of("llama3", "chatml", "llama2", "mistral", "zephyr", "plain");

    private static final String CLOCK_KEY = "__junction_clock__";
    private static final Jinjava JINJAVA = newJinjava();

    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Node root;
    private final Clock clock;

    private ChatTemplate(String source, String bosToken, String eosToken, Node root, Clock clock) {
        this.source = source;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.root = root;
        this.clock = clock;
    }

    /**
     * Compiles a Hugging Face Jinja chat template.
     *
     * @param jinjaSource the template text as stored in {@code tokenizer_config.json} or GGUF metadata
     * @param bosToken    the text of the BOS token ({@code <|begin_of_text|>}, {@code <s>}); null means empty
     * @param eosToken    the text of the EOS token; null means empty
     * @throws ChatTemplateException when the template does not parse
     */
    @SuppressWarnings("deprecation") // push/popCurrent: the replacement's handle is not AutoCloseable in 2.8.2
    public static ChatTemplate of(String jinjaSource, String bosToken, String eosToken) {
        Objects.requireNonNull(jinjaSource, "jinjaSource");
        JinjavaInterpreter interpreter = newInterpreter(Map.of());
        Node root;
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            root = interpreter.parse(JinjaSource.normalize(jinjaSource));
        } finally {
            JinjavaInterpreter.popCurrent();
        }
        failOnErrors(interpreter.getErrors(), "chat template does not parse");
        return new ChatTemplate(jinjaSource, bosToken == null ? "" : bosToken, eosToken == null ? "" : eosToken, root,
                Clock.systemDefaultZone());
    }

    /**
     * A builtin template for files that ship none. Families (case-insensitive):
     * <ul>
     * <li>{@code llama3}: Llama 3 headers, {@code bos_token<|start_header_id|>role<|end_header_id|>\n\ntext<|eot_id|>};
     * <li>{@code chatml} (alias {@code qwen}): {@code <|im_start|>role\ntext<|im_end|>\n}, no default system prompt;
     * <li>{@code llama2}: {@code <s>[INST] <<SYS>>\nsystem\n<</SYS>>\n\nuser [/INST] answer </s>}, strictly
     * alternating user/assistant after an optional system message;
     * <li>{@code mistral}: Mistral-7B-Instruct v0.1's template, {@code <s> [INST] user [/INST] answer</s>}, the system
     * message joined to the first user message;
     * <li>{@code zephyr}: {@code <|role|>\ntext</s>\n};
     * <li>{@code plain}: for base models such as stories260K that know no chat format: {@code bos_token} followed by
     * the message contents, one per line, without role labels; {@code add_generation_prompt} adds nothing, so the
     * model simply continues the text.
     * </ul>
     * All but {@code chatml} and {@code plain} open the assistant turn when asked to, as their originals do.
     *
     * @throws IllegalArgumentException for an unknown family
     */
    public static ChatTemplate fallbackFor(String family, String bosToken, String eosToken) {
        String source = switch (family.toLowerCase(Locale.ROOT)) {
            case "llama3" -> LLAMA3;
            case "chatml", "qwen" -> CHATML;
            case "llama2" -> LLAMA2;
            case "mistral" -> MISTRAL;
            case "zephyr" -> ZEPHYR;
            case "plain" -> PLAIN;
            default -> throw new IllegalArgumentException(
                    "unknown chat template family '" + family + "'; known: " + FALLBACK_FAMILIES);
        };
        return of(source, bosToken, eosToken);
    }

    /**
     * The model's own template when it has one, else a builtin picked from its vocabulary: {@code llama3} when the
     * vocabulary has {@code <|start_header_id|>}, {@code chatml} for {@code <|im_start|>}, {@code mistral} for
     * {@code [INST]}, and {@code plain} otherwise (base models; Llama 2 chat files carry their template).
     *
     * @param template the {@code tokenizer.chat_template} metadata; blank counts as absent
     * @param hasToken whether the vocabulary contains a token with exactly this text
     */
    public static ChatTemplate detect(Optional<String> template, Predicate<String> hasToken, String bosToken,
            String eosToken) {
        if (template.isPresent() && !template.get().isBlank()) {
            return of(template.get(), bosToken, eosToken);
        }
        String family;
        if (hasToken.test("<|start_header_id|>")) {
            family = "llama3";
        } else if (hasToken.test("<|im_start|>")) {
            family = "chatml";
        } else if (hasToken.test("[INST]")) {
            family = "mistral";
        } else {
            family = "plain";
        }
        return fallbackFor(family, bosToken, eosToken);
    }

    /** The same template, with {@code strftime_now} reading this clock (for reproducible dates in tests). */
    public ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(source, bosToken, eosToken, root, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Renders a conversation.
     *
     * @param addGenerationPrompt whether to end with the opening of an assistant turn, as when asking the model to
     *                            reply
     * @throws ChatTemplateException when the template raises (for example on roles it does not accept) or fails
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders a conversation with extra template variables ({@code date_string}, {@code tools}, a template's own
     * switches such as {@code enable_thinking}); they are set after, and so override, the standard ones.
     */
    @SuppressWarnings("deprecation")
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
        List<Object> messageMaps = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            messageMaps.add(new PyMap(map));
        }
        Map<String, Object> variables = new HashMap<>();
        variables.put("messages", messageMaps);
        variables.put("add_generation_prompt", addGenerationPrompt);
        variables.put("bos_token", bosToken);
        variables.put("eos_token", eosToken);
        variables.put("strftime_now", new DefinedFunction("strftime_now"));
        variables.put("raise_exception", new DefinedFunction("raise_exception"));
        variables.put(CLOCK_KEY, clock);
        variables.putAll(extraVariables);

        JinjavaInterpreter interpreter = newInterpreter(variables);
        String output;
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            output = interpreter.render(root);
        } finally {
            JinjavaInterpreter.popCurrent();
        }
        failOnErrors(interpreter.getErrors(), "chat template failed");
        return output;
    }

    /**
     * Whether the template reads a variable of this name: the name standing in its source as a word of its own, not
     * in quotes and not after a dot (an approximation that errs towards yes, for checking that a request's template
     * argument is not silently ignored).
     */
    public boolean uses(String variable) {
        return Pattern.compile("(?<![\\w.'\"])" + Pattern.quote(variable)
                + "(?![\\w'\"])").matcher(source).find();
    }

    /** The template text as given. */
    public String source() {
        return source;
    }

    public String bosToken() {
        return bosToken;
    }

    public String eosToken() {
        return eosToken;
    }

    // ---- Jinjava set-up --------------------------------------------------------------------------------------

    private static Jinjava newJinjava() {
        LegacyOverrides overrides = LegacyOverrides.newBuilder()
                .withUseNaturalOperatorPrecedence(true)
                .withParseWhitespaceControlStrictly(true)
                .withUseTrimmingForNotesAndExpressions(true)
                .withKeepNullableLoopValues(true)
                .build();
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(overrides)
                .withElResolver(resolver)
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", Object.class));
        jinjava.registerFunction(new ELFunctionDefinition("", "strftime_now", ChatTemplate.class,
                "strftimeNow", String.class));
        return jinjava;
    }

    private static JinjavaInterpreter newInterpreter(Map<String, ?> variables) {
        Context context = new Context(JINJAVA.getGlobalContext(), variables);
        return new JinjavaInterpreter(JINJAVA, context, JINJAVA.getGlobalConfig());
    }

    private static void failOnErrors(List<TemplateError> errors, String what) {
        for (TemplateError error : errors) {
            if (error.getSeverity() != TemplateError.ErrorType.FATAL) {
                continue;
            }
            for (Throwable t = error.getException(); t != null; t = t.getCause()) {
                if (t instanceof RaisedException raised) {
                    throw new ChatTemplateException("chat template refused the conversation: " + raised.getMessage(),
                            raised.getMessage(), null);
                }
            }
            String where = error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : "";
            throw new ChatTemplateException(what + where + ": " + error.getMessage(), null, error.getException());
        }
    }

    /** {@code raise_exception(msg)}: called by Jinjava through reflection. */
    public static Object raiseException(Object message) {
        throw new RaisedException(String.valueOf(message));
    }

    /** {@code strftime_now(fmt)}: called by Jinjava through reflection; the time comes from the template's clock. */
    public static String strftimeNow(String format) {
        Clock clock = JinjavaInterpreter.getCurrentMaybe()
                .map(i -> i.getContext().get(CLOCK_KEY) instanceof Clock c ? c : null)
                .orElse(Clock.systemDefaultZone());
        return Strftime.format(format, ZonedDateTime.now(clock));
    }

    /** Makes {@code name is defined} true for globals that are functions, as in Hugging Face's environment. */
    private record DefinedFunction(String name) {
        @Override
        public String toString() {
            return "<function " + name + ">";
        }
    }

    private static final class RaisedException extends RuntimeException {
        RaisedException(String message) {
            super(message, null, false, false);
        }
    }

    // ---- builtin templates -----------------------------------------------------------------------------------

    private static final String LLAMA3 = "{{- bos_token }}{%- for message in messages %}"
            + "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim"
            + " + '<|eot_id|>' }}{%- endfor %}"
            + "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}";

    private static final String CHATML = "{%- for message in messages %}"
            + "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{%- endfor %}"
            + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    private static final String LLAMA2 = """
            {%- if messages[0]['role'] == 'system' %}
                {%- set system_message = messages[0]['content'] %}
                {%- set loop_messages = messages[1:] %}
            {%- else %}
                {%- set loop_messages = messages %}
            {%- endif %}
            {%- for message in loop_messages %}
                {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
                    {{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') }}
                {%- endif %}
                {%- if message['role'] == 'user' %}
                    {%- if loop.first and system_message is defined %}
                        {{- bos_token + '[INST] <<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] | trim + ' [/INST]' }}
                    {%- else %}
                        {{- bos_token + '[INST] ' + message['content'] | trim + ' [/INST]' }}
                    {%- endif %}
                {%- elif message['role'] == 'assistant' %}
                    {{- ' ' + message['content'] | trim + ' ' + eos_token }}
                {%- endif %}
            {%- endfor %}
            """;

    /** Mistral-7B-Instruct-v0.1 / Mixtral-8x7B-Instruct-v0.1 {@code tokenizer_config.json}, as published. */
    private static final String MISTRAL = """
            {%- if messages[0]['role'] == 'system' %}
                {%- set system_message = messages[0]['content'] %}
                {%- set loop_messages = messages[1:] %}
            {%- else %}
                {%- set loop_messages = messages %}
            {%- endif %}

            {{- bos_token }}
            {%- for message in loop_messages %}
                {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
                    {{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') }}
                {%- endif %}
                {%- if message['role'] == 'user' %}
                    {%- if loop.first and system_message is defined %}
                        {{- ' [INST] ' + system_message + '\\n\\n' + message['content'] + ' [/INST]' }}
                    {%- else %}
                        {{- ' [INST] ' + message['content'] + ' [/INST]' }}
                    {%- endif %}
                {%- elif message['role'] == 'assistant' %}
                    {{- ' ' + message['content'] + eos_token}}
                {%- else %}
                    {{- raise_exception('Only user and assistant roles are supported, with the exception of an initial optional system message!') }}
                {%- endif %}
            {%- endfor %}
            """;

    private static final String ZEPHYR = "{%- for message in messages %}"
            + "{{- '<|' + message['role'] + '|>\\n' + message['content'] + eos_token + '\\n' }}{%- endfor %}"
            + "{%- if add_generation_prompt %}{{- '<|assistant|>\\n' }}{%- endif %}";

    private static final String PLAIN = "{{- bos_token }}{%- for message in messages %}"
            + "{%- if not loop.first %}{{- '\\n' }}{%- endif %}{{- message['content'] }}{%- endfor %}";
}
