"""Renders the test templates with Python Jinja2 set up as transformers does (trim_blocks, lstrip_blocks,
loopcontrols, raise_exception, strftime_now fixed to 15 Jan 2025) and prints the JSON that ChatTemplateTest compares
Junction's output with. Regenerate with:
  python3 jinja2_reference.py llama3.jinja llama3_2-instruct.jinja qwen2_5-instruct.jinja qwen3.jinja \
      mistral-7b-instruct-v0.1.jinja mistral-7b-instruct-v0.2-legacy.jinja > jinja2-reference.json
(Jinja2 3.1.6 produced the committed file.)"""
import json, sys
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.ext import loopcontrols
def raise_exception(m): raise Exception("RAISED: " + m)
def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = lambda f: "15 Jan 2025" if f == "%d %b %Y" else f
import os
D = os.path.dirname(os.path.abspath(__file__)) + "/"
conv = [dict(role="system", content="You are a helpful assistant."), dict(role="user", content="Hi"),
        dict(role="assistant", content="Hello! How can I help?"), dict(role="user", content="Tell me a joke.")]
cases = {
 "full": (conv, True), "nosys": (conv[1:2], True), "full_nogen": (conv, False),
 "ws": ([dict(role="user", content="  Hi  \n")], True),
 "bad": ([dict(role="user", content="a"), dict(role="user", content="b")], True),
 "think": ([dict(role="user", content="Hi"), dict(role="assistant", content="<think>\nhmm\n</think>\n\nHello!"), dict(role="user", content="Again")], True),
}
result = []
for f in sys.argv[1:]:
    t = env.from_string(open(D + f).read())
    for name, (msgs, gen) in cases.items():
        try:
            bos, eos = ("<s>", "</s>") if "mistral" in f else ("<|begin_of_text|>", "<|eot_id|>")
            out = t.render(messages=msgs, add_generation_prompt=gen, bos_token=bos, eos_token=eos, tools=None, documents=None)
            result.append(dict(template=f, conversation=name, bos_token=bos, eos_token=eos, output=out))
        except Exception as e:
            result.append(dict(template=f, conversation=name, bos_token=bos, eos_token=eos, raises=str(e).removeprefix("RAISED: ")))
print(json.dumps(dict(conversations={k: dict(messages=v[0], add_generation_prompt=v[1]) for k, v in cases.items()}, expected=result), indent=1, ensure_ascii=False))
