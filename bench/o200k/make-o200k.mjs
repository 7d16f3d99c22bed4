// Makes the o200k test data of engine's tokenizer tests with js-tiktoken (an independent o200k implementation).
// Run once by hand, never at test time; see bench/o200k/README.md. Usage:
//   node make-o200k.mjs <scratch-dir> <vocab-dir>
// writes <scratch-dir>/o200k_base.tiktoken (the ranks, tiktoken's file format: base64 bytes, space, rank) and
// <vocab-dir>/ggml-vocab-gpt-4o.gguf.inp/.out (special tokens not parsed) and
// <vocab-dir>/ggml-vocab-gpt-4o.gguf.special.inp/.out (harmony's special tokens parsed).
// (No plain string holds <|start|>, <|channel|>, <|message|>, <|constrain|> or <|end|>: llama.cpp, and so the engine,
// makes those user-defined tokens, recognised even when special tokens are not parsed.)
import { Tiktoken } from "js-tiktoken/lite";
import o200k from "js-tiktoken/ranks/o200k_base";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [scratch, vocabDir] = process.argv.slice(2);
const SEP = "\n__ggml_vocab_test__\n";

// o200k_harmony's special tokens (tiktoken's openai_public.py), 200018 keeping o200k_base's <|endofprompt|>
const special = {
  "<|startoftext|>": 199998, "<|endoftext|>": 199999, "<|return|>": 200002, "<|constrain|>": 200003,
  "<|channel|>": 200005, "<|start|>": 200006, "<|end|>": 200007, "<|message|>": 200008, "<|call|>": 200012,
  "<|endofprompt|>": 200018,
};
for (let i = 200000; i < 201088; i++) {
  if (!Object.values(special).includes(i)) special[`<|reserved_${i}|>`] = i;
}
const enc = new Tiktoken(o200k, special);

// 1. the ranks
const lines = [];
for (const [rank, bytes] of [...enc.textMap.entries()].sort((a, b) => a[0] - b[0])) {
  lines.push(Buffer.from(bytes).toString("base64") + " " + rank);
}
writeFileSync(join(scratch, "o200k_base.tiktoken"), lines.join("\n") + "\n");
writeFileSync(join(scratch, "o200k_harmony_special.txt"),
  Object.entries(special).sort((a, b) => a[1] - b[1]).map(([t, i]) => i + " " + t).join("\n") + "\n");

// 2. the strings: llama.cpp's test-tokenizer-0 strings, then our own
const llama = readFileSync(join(vocabDir, "ggml-vocab-gpt-2.gguf.inp"), "utf8").split(SEP).filter((s) => s !== "");
const own = [];
const add = (...s) => own.push(...s);
add("Hello, world!", "hello world", "HELLO WORLD", "HelloWorld", "helloWorld", "XMLHttpRequest", "iPhone 15 Pro Max",
  "McDonald's", "I'm", "I'M", "you're", "YOU'RE", "we've", "We'Ve", "she'll", "SHE'LL", "he'd", "it's", "IT'S",
  "don't", "DON'T", "can't stop won't stop", "'s", "'S", "'", "''", "'''", "rock 'n' roll", "the dog's bone's",
  "O'Neill O'NEILL o'neill", "l'homme l'Homme", "ſ's ſ'S", "Straße STRASSE", "İstanbul ıi", "ǅemal ǈ ǋ",
  "Ὀδυσσεύς", "Ελληνικά κείμενο", "Привет, мир! ПРИВЕТ", "Україна", "Ελλάδα'ς",
  "日本語のテキストです。", "中文文本，标点符号！", "한국어 텍스트입니다.", "ひらがな カタカナ 漢字", "混合mixed文字text",
  "ภาษาไทยไม่มีช่องว่าง", "हिन्दी भाषा", "नमस्ते दुनिया", "العربية نص", "עברית טקסט", "ქართული", "Հայերեն",
  "தமிழ்", "বাংলা", "ગુજરાતી", "ꯃꯤꯇꯩ", "ᐃᓄᒃᑎᑐᑦ", "e\u0301 ca\u0300 n\u0303", "\u0301\u0301abc", " \u0301x",
  "👋 hello 🌍", "🙂🙃😉", "👨‍👩‍👧‍👦 family", "🏳️‍🌈", "👍🏽👍🏿", "🇯🇵🇫🇷", "❤️", "a😀b", "😀😀😀😀😀",
  "©®™ §¶ †‡ •…", "→ ← ↑ ↓ ⇒", "∑∫∂√∞≠≤≥", "½ ¼ ¾ ² ³", "①②③ ⅠⅡⅢ", "٠١٢٣٤٥٦٧٨٩", "०१२३", "１２３４５",
  "", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r\n\r\n", " \n", "\n ", "  \n  ", "\t\t\tx", "x   y", "x \n y",
  "a\u00a0b", "a\u3000b", "a\u2003b", "\u2028", "x\u0085y", "   leading", "trailing   ", " \t \n \r ", "a\n\n\nb",
  "line1\nline2\r\nline3\rline4", "end/\n/start", "path/to/file\n/next", "///", "a/\n\n/b", "?\n", "!!!\n\n\n",
  "0", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "3.14159", "2,718,281", "1e-10", "0x1F",
  "-42", "+7", "$1,234.56", "€99", "¥1000", "100%", "50/50", "10:30", "2024-01-15", "v1.2.3", "192.168.0.1",
  "a1b2c3", "abc123def", "123abc", "x²", "H₂O", "1st 2nd 3rd 4th", "#1", "№5", "9999999999999999",
  "def f(x):\n    return x**2\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}",
  "if (a && b || !c) { return; }", "const x = () => { console.log(`hi ${name}`); };",
  "public static void main(String[] args) {", "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); }",
  "SELECT * FROM users WHERE id = 1;", "<div class=\"a\">text</div>", "{\"key\": [1, 2, 3], \"nested\": {\"a\": null}}",
  "x = [i*i for i in range(10) if i % 2 == 0]", "    indented\n        more\n    less", "fn main() -> Result<(), Box<dyn Error>> {",
  "$ ls -la | grep '^d' > out.txt 2>&1", "https://example.com/path?q=1&r=two#frag", "user@example.com",
  "// comment\n/* block */", "# Heading\n\n- item\n- item 2\n\n```python\nprint('x')\n```", "| a | b |\n|---|---|",
  "snake_case_name camelCaseName PascalCaseName SCREAMING_CASE kebab-case-name", "__init__ __name__",
  "a==b!=c<=d>=e", "i++ --j", "...", "…", "?!", "¿Qué? ¡Sí!", "«guillemets» „quotes“ ‘single’ “double”",
  "—dash– - −", "**bold** _it_ ~~s~~", "<|endoftext|> <|return|> <|call|> not parsed here",
  "The quick brown fox jumps over the lazy dog.", "THE QUICK BROWN FOX", "tHe QuIcK bRoWn FoX",
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.",
  "Ça va? Très bien, merci. Où est la bibliothèque?", "Müller, Größe, Übergröße, ÄÖÜ äöü", "Søren Kierkegaard, Ærø",
  "Dziękuję bardzo, żółć", "Čeština: příliš žluťoučký kůň", "Tiếng Việt có dấu", "Türkçe: ğüşıöç",
  "Español: año, niño, corazón", "Português: ação, coração", "Română: șțăîâ", "Íslenska: þð",
  "naïve café résumé coöperate", "ﬁ ﬂ ﬀ", "Ａｂｃ　ＤＥＦ", "ｶﾀｶﾅ", "𝐀𝐁𝐂 𝒜 𝔸", "𝟘𝟙𝟚", "𠀀𠀁 𪚥",
  "Hello\u200bWorld", "zero\u200dwidth\u200cjoiner", "soft\u00adhyphen", "tab\there", "mixed\t \tspaces",
  "emoji🙂inside", "日本語English混在テキスト123", "Русский English 中文 123", "αβγ ABC абв",
  "ÀÉÎÕÜ", "ǄǅǆǇǈǉ", "ᾼᾈ", "A'B'C", "'hello'", "\"quoted\"", "(parens) [brackets] {braces}",
  "   \n\n   \n", "x\n\n\n\n\n", "\n\n\n\n\n\n\n\n\n\n", " ".repeat(20), "-".repeat(40), "=".repeat(17),
  "a".repeat(50), "ab".repeat(30), "1".repeat(25), "😀".repeat(12), "中".repeat(20), "\t".repeat(9));
// generated combinations: contractions after every kind of word, numbers after letters and spaces
for (const w of ["dog", "DOG", "Dog", "dOG", "日本", "Ωμέγα", "ΩΜΈΓΑ", "x1"]) {
  for (const c of ["'s", "'T", "'re", "'VE", "'m", "'Ll", "'d", "'x"]) add(w + c + " next");
}
for (const n of [7, 42, 365, 2048, 65536, 1048576, 31415926535]) {
  add(`a${n}`, ` ${n}`, `x ${n} y`, `${n}${n}`, `(${n})`, `${n}.${n}`, `-${n}kg`);
}
for (const ws of [" ", "  ", "\t", "\n", " \n", "\n ", "\r\n", "\u3000", "\u00a0"]) {
  for (const s of ["a", "A", "1", "!", "😀", "中"]) add(`${s}${ws}${s}`, `${ws}${s}`, `${s}${ws}`);
}
const strings = [...llama, ...own];
const ids = strings.map((s) => enc.encode(s, [], []));
for (let i = 0; i < strings.length; i++) {
  if (enc.decode(ids[i]) !== strings[i]) throw new Error("round trip fails for string " + i);
}
writeFileSync(join(vocabDir, "ggml-vocab-gpt-4o.gguf.inp"), strings.map((s) => s + SEP).join(""));
writeFileSync(join(vocabDir, "ggml-vocab-gpt-4o.gguf.out"), ids.map((t) => " " + t.join(" ")).join("\n") + "\n");

// 3. harmony conversations, special tokens parsed
const sp = [
  "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\n\nReasoning: high\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>",
  "<|start|>user<|message|>What is 2 + 2?<|end|><|start|>assistant",
  "<|channel|>analysis<|message|>User asks a simple sum. 2+2=4.<|end|><|start|>assistant<|channel|>final<|message|>2 + 2 = 4.<|return|>",
  "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"location\":\"San Francisco\"}<|call|>",
  "<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>{\"sunny\": true, \"temperature\": 20}<|end|>",
  "<|startoftext|><|endoftext|><|endofprompt|><|reserved_200000|><|reserved_201087|>",
  "text<|end|>text <|message|> spaced <|channel|>\n<|start|>",
  "<|start|><|start|>", "<|star", "|>", "<|channel|analysis", "<|constrain|>json<|message|>[1,2]",
];
const spIds = sp.map((s) => enc.encode(s, "all"));
writeFileSync(join(vocabDir, "ggml-vocab-gpt-4o.gguf.special.inp"), sp.map((s) => s + SEP).join(""));
writeFileSync(join(vocabDir, "ggml-vocab-gpt-4o.gguf.special.out"), spIds.map((t) => " " + t.join(" ")).join("\n") + "\n");
console.log(`${strings.length} strings (${llama.length} from llama.cpp), ${sp.length} with special tokens, ${lines.length} ranks`);
