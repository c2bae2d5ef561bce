"""A tiny parser for the story's condition grammar, for the plan's check only (no eval)."""
import re

TOK = re.compile(r"\s*(\(|\)|>=|<=|==|!=|<|>|-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_.\-]*(?:\([A-Za-z0-9_.\-]+\))?)")


def tokenize(s):
    pos, out = 0, []
    s = s.strip()
    while pos < len(s):
        m = TOK.match(s, pos)
        if not m:
            raise ValueError(f"bad condition at {pos}: {s!r}")
        out.append(m.group(1))
        pos = m.end()
    return out


def parse(s):
    toks = tokenize(s)
    i = 0

    def peek():
        return toks[i] if i < len(toks) else None

    def take():
        nonlocal i
        i += 1
        return toks[i - 1]

    def p_or():
        left = p_and()
        while peek() == "or":
            take()
            r = p_and()
            left = (lambda a, b: lambda st: a(st) or b(st))(left, r)
        return left

    def p_and():
        left = p_not()
        while peek() == "and":
            take()
            r = p_not()
            left = (lambda a, b: lambda st: a(st) and b(st))(left, r)
        return left

    def p_not():
        if peek() == "not":
            take()
            inner = p_not()
            return lambda st: not inner(st)
        return p_atom()

    def value(t):
        if re.fullmatch(r"-?\d+(\.\d+)?", t):
            v = float(t)
            return lambda st: v
        if t == "score":
            return lambda st: st.score()
        if t == "assimilation":
            return lambda st: st.assimilation()
        if t == "round":
            return lambda st: st.round
        if t.startswith("learning("):
            a = t[9:-1]
            return lambda st: st.learning(a)
        return lambda st: st.k[t]

    def p_atom():
        t = take()
        if t == "(":
            e = p_or()
            assert take() == ")"
            return e
        if t == "true":
            return lambda st: True
        if t == "false":
            return lambda st: False
        if t.startswith("flag."):
            f = t[5:]
            return lambda st: f in st.flags
        if t.startswith("chose("):
            c = t[6:-1]
            return lambda st: c in st.chosen
        if t.startswith("visited("):
            c = t[8:-1]
            return lambda st: c in st.visited
        op = peek()
        if op in (">=", "<=", "==", "!=", "<", ">"):
            take()
            a, b = value(t), value(take())
            return {
                ">=": lambda st: a(st) >= b(st), "<=": lambda st: a(st) <= b(st),
                "==": lambda st: a(st) == b(st), "!=": lambda st: a(st) != b(st),
                "<": lambda st: a(st) < b(st), ">": lambda st: a(st) > b(st),
            }[op]
        raise ValueError(f"bad atom {t!r} in {s!r}")

    e = p_or()
    if i != len(toks):
        raise ValueError(f"trailing tokens in {s!r}")
    return e
