"""Play the 0.2.0 plan (plan02.py) with the planned mechanics and the audit's test-wise learners.

    python3 docs/plan/check.py            # summary tables (the worked check in the plan)
    python3 docs/plan/check.py --trace best-evidence   # one game, month by month

Mechanics modelled (as proposed in docs/story-plan-0.2.md, section 1):
- capacity per month = base + conditional modifiers; an option costing more than is left is unavailable;
- conditional effects on options (`cond`) and conditional bills on scenes (`bite`, applied on entry);
- event pools drawn by play-dependent weights, seeded;
- saturation: a gain on a KPI above its knee shrinks linearly to 0 at max; drift at each month's end;
- portfolio scenes: pick up to K whose capacity fits; effects and evidence summed;
- scoring as docs/story-format.md; endings in order, the last unconditional.
"""
import random
import statistics
import sys
import zlib
from collections import Counter, defaultdict

sys.path.insert(0, __import__("os").path.dirname(__file__))
import plan02 as P  # noqa: E402
from cond import parse  # noqa: E402

DRAW_AFTER = {1: "r1.cab", 2: "r2.pricing", 3: "r3.tills", 4: "r4.cause", 5: "r5.portfolio", 6: "r6.offer"}
_cache = {}


def C(s):
    if s not in _cache:
        _cache[s] = parse(s)
    return _cache[s]


class State:
    def __init__(self, seed):
        self.seed = seed
        self.k = {k: v["start"] for k, v in P.KPIS.items()}
        self.flags, self.chosen, self.visited = set(), set(), set()
        self.num, self.den = defaultdict(float), defaultdict(float)
        self.w_off = self.w_took = 0
        self.round = 0
        self.log = []
        self.trust_m3 = None

    def score(self):
        d = sum(self.den.values())
        return 100 * sum(self.num.values()) / d if d else 0

    def learning(self, a):
        keys = [p for p in self.den if p == a or p.startswith(a + ".")]
        d = sum(self.den[p] for p in keys)
        return 100 * sum(self.num[p] for p in keys) / d if d else 0

    def assimilation(self):
        return 100 * self.w_took / self.w_off if self.w_off else 0

    def apply(self, effects):
        for kpi, d in effects.items():
            meta = P.KPIS[kpi]
            v = self.k[kpi]
            if d > 0 and meta["knee"] is not None and v > meta["knee"]:
                d = d * (meta["max"] - v) / (meta["max"] - meta["knee"])
            self.k[kpi] = max(meta["min"], min(meta["max"], v + d))


def total_effects(st, o):
    e = dict(o["eff"])
    for c, x in o["cond"]:
        if C(c)(st):
            for k, v in x.items():
                e[k] = e.get(k, 0) + v
    return e


def evsum(o):
    return sum(o["ev"].values())


def business(e):
    return 2 * e.get("revenue", 0) + 0.5 * e.get("customers", 0) + 0.5 * e.get("trust", 0) + 0.3 * e.get("stability", 0)


def shuffled(st, scene, opts):
    rng = random.Random(zlib.crc32(f"{st.seed}:{scene['id']}".encode()))
    o = list(opts)
    rng.shuffle(o)
    return o


# ------------------------------------------------------------------ strategies: pick one option
def pick_by(key, reverse=True):
    def f(st, scene, opts, rng):
        return sorted(opts, key=lambda o: (key(st, o), -o["cap"]), reverse=reverse)[0]
    return f


def best(st, scene, opts, rng):
    return max(opts, key=lambda o: (evsum(o), -o["cap"]))


def worst(st, scene, opts, rng):
    return min(opts, key=lambda o: (evsum(o), o["cap"]))


def second(st, scene, opts, rng):
    """A well-meaning player who takes the tempting business win one time in three."""
    return myopic(st, scene, opts, rng) if rng.random() < 0.35 else best(st, scene, opts, rng)


def process(st, scene, opts, rng):
    pr = [o for o in opts if {"W3", "W4"} & set(o["worst"])]
    pool = pr or [o for o in opts if "W2" in o["worst"]] or opts
    return max(pool, key=lambda o: (total_effects(st, o).get("stability", 0), total_effects(st, o).get("trust", 0)))


def trustloser(st, scene, opts, rng):
    pool = [o for o in opts if "W6" in o["worst"]] or [o for o in opts if "W2" in o["worst"]] or opts
    return min(pool, key=lambda o: total_effects(st, o).get("trust", 0))


def marked(m):
    def f(st, scene, opts, rng):
        ms = [o for o in opts if m in o["mark"]]
        return ms[0] if ms else rng.choice(opts)
    return f


def trustgreedy(st, scene, opts, rng):
    return max(opts, key=lambda o: (total_effects(st, o).get("trust", 0), rng.random()))


def myopic(st, scene, opts, rng):
    return max(opts, key=lambda o: (business(total_effects(st, o)), rng.random()))


def first(st, scene, opts, rng):
    return shuffled(st, scene, opts)[0]


def last(st, scene, opts, rng):
    return shuffled(st, scene, opts)[-1]


def rand(st, scene, opts, rng):
    return rng.choice(opts)


STRATS = {
    "best-evidence": best, "mostly-good": second, "worst-evidence": worst,
    "process-and-control": process, "loses-trust": trustloser,
    "tw:longest": marked("L"), "tw:virtuous": marked("V"), "tw:trust-gain": trustgreedy,
    "tw:myopic-business": myopic, "tw:first-shown": first, "tw:last-shown": last, "tw:random": rand,
}


def portfolio_pick(strat, st, scene, opts, cap, rng):
    """Greedy: let the strategy pick one item at a time from those that still fit."""
    picked, left = [], list(opts)
    k = scene["k"] + (1 if scene.get("kplus") and C(scene["kplus"])(st) else 0)
    while len(picked) < k:
        fit = [o for o in left if o["cap"] <= cap]
        if not fit:
            break
        o = STRATS[strat](st, scene, fit, rng)
        if strat in ("best-evidence",) and evsum(o) < 0:
            break
        picked.append(o)
        left.remove(o)
        cap -= o["cap"]
    return picked


def score_decision(st, opts, chosen, k=1):
    points = set()
    for o in opts:
        points |= set(o["ev"])
    for p in points:
        ws = sorted((o["ev"].get(p, 0) for o in opts), reverse=True)
        if k == 1:
            hi, lo = max(ws + [0]) if False else max(ws), min(ws)
        else:
            hi = sum(w for w in ws[:k] if w > 0)
            lo = sum(w for w in sorted(ws)[:k] if w < 0)
        earned = sum(o["ev"].get(p, 0) for o in chosen)
        if hi > lo:
            st.num[p] += earned - lo
            st.den[p] += hi - lo
    if any(o["worst"] for o in opts):
        st.w_off += 1
        if any(o["worst"] for o in chosen):
            st.w_took += 1


def play_scene(st, scene, strat, rng, capleft):
    if scene.get("when") and not C(scene["when"])(st):
        return capleft
    st.visited.add(scene["id"])
    for c, x, why in scene.get("bite", []):
        if C(c)(st) and x:
            st.apply(x)
            st.log.append(f"    bill: {x} ({why})")
    opts = [o for o in scene["options"] if not o["when"] or C(o["when"])(st)]
    avail = [o for o in opts if o["cap"] <= capleft]
    if not avail and scene["kind"] != "portfolio":
        raise AssertionError(f"{scene['id']}: no option fits the capacity left ({capleft})")
    if scene["kind"] == "portfolio":
        chosen = portfolio_pick(strat, st, scene, avail, capleft, rng)
        score_decision(st, avail, chosen, k=scene["k"])
    else:
        chosen = [STRATS[strat](st, scene, avail, rng)]
        score_decision(st, avail, chosen)
    for o in chosen:
        e = total_effects(st, o)
        st.apply(e)
        st.flags |= set(o["set"])
        st.flags -= set(o["clear"])
        st.chosen.add(f"{scene['id']}.{o['id']}")
        capleft -= o["cap"]
    st.log.append(f"  {scene['id']}: {'+'.join(o['id'] for o in chosen)}  cap left {capleft}")
    return capleft


def weight(st, ev):
    w = ev["weight"]
    if isinstance(w, (int, float, str)):
        return float(w)
    for c, v in w:
        if C(c)(st):
            return float(v)
    return 0.0


def play(strat, seed):
    st = State(seed)
    rng = random.Random(seed * 7919 + len(strat))
    for rd in P.ROUNDS:
        st.round = rd["n"]
        cap = rd["capacity"] + sum(d for c, d, _ in rd["cap_mods"] if C(c)(st))
        st.log.append(f"month {rd['n']}: capacity {cap}")
        for scene in rd["scenes"]:
            if scene["id"].endswith(".ci"):
                pass
            cap = play_scene(st, scene, strat, rng, cap)
            if scene["id"] == DRAW_AFTER[rd["n"]]:
                drng = random.Random(zlib.crc32(f"{seed}:draw:{rd['n']}".encode()))
                pool = [e for e in rd["pool"] if (not e["when"] or C(e["when"])(st))]
                for _ in range(rd["draws"]):
                    ws = [weight(st, e) for e in pool]
                    if not pool or sum(ws) <= 0:
                        break
                    e = drng.choices(pool, weights=ws)[0]
                    pool.remove(e)
                    cap = play_scene(st, e, strat, rng, cap)
        for kpi, meta in P.KPIS.items():
            if meta["drift"]:
                st.apply({kpi: meta["drift"]})
        st.log.append("  end: " + " ".join(f"{k}={v:.0f}" for k, v in st.k.items())
                      + f" score={st.score():.0f} assim={st.assimilation():.0f}")
        if rd["n"] == 3:
            st.trust_m3 = st.k["trust"]
    for eid, cond in P.ENDINGS:
        if cond is None or C(cond)(st):
            return st, eid
    raise AssertionError


def design_audit():
    """Figures the audit will measure that the plan fixes: per decision scene, from the data."""
    scenes = [s for rd in P.ROUNDS for s in rd["scenes"] + rd["pool"] if s["kind"] == "choice"]
    n = len(scenes)
    two_pos = tempt = longest = virt = trustbest = 0
    for s in scenes:
        opts = s["options"]
        b = max(opts, key=evsum)
        pos = [o for o in opts if any(v > 0 for v in o["ev"].values())]
        pts = [frozenset(p for p, v in o["ev"].items() if v > 0) for o in pos]
        if len(pos) >= 2 and len(set().union(*pts)) > max(len(x) for x in pts):
            two_pos += 1
        bw = [o for o in opts if o["worst"]]
        if any(any(o["eff"].get(k, 0) > b["eff"].get(k, 0) for k in ("revenue", "customers", "trust", "stability"))
               for o in bw):
            tempt += 1
        longest += "L" in b["mark"]
        virt += "V" in b["mark"]
        if max(o["eff"].get("trust", 0) for o in opts) == b["eff"].get("trust", 0) and \
                sum(o["eff"].get("trust", 0) == b["eff"].get("trust", 0) for o in opts) == 1:
            trustbest += 1
    return dict(scenes=n, two_positive=two_pos, temptation=tempt, best_longest=longest,
                best_virtuous=virt, best_sole_trust_max=trustbest)


def main():
    if "--flags" in sys.argv:
        sets, reads, chose_reads, unbitten = flag_contract()
        for f in sorted(sets):
            print(f"{f}: set {', '.join(sets[f])}\n    reads: {'; '.join(reads.get(f, [])) or '-'}")
        for c in sorted(chose_reads):
            print(f"chose({c}): {'; '.join(chose_reads[c])}")
        print("W options of months 1-3 that never bite:", unbitten)
        return
    if len(sys.argv) > 2 and sys.argv[1] == "--trace":
        st, end = play(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1)
        print("\n".join(st.log))
        print("ending:", end, f"score={st.score():.1f}")
        return
    seeds = range(1, 51)
    print(f"{'strategy':22} {'endings (50 seeds)':44} score  rev  cost cust stab trust  t@M3 assim")
    for name in STRATS:
        ends, scores, fin, tm3, asm = Counter(), [], defaultdict(list), [], []
        for sd in seeds:
            st, e = play(name, sd)
            ends[e] += 1
            scores.append(st.score())
            for k, v in st.k.items():
                fin[k].append(v)
            tm3.append(st.trust_m3)
            asm.append(st.assimilation())
        es = ", ".join(f"{k} {v}" for k, v in ends.most_common())
        m = {k: statistics.mean(v) for k, v in fin.items()}
        print(f"{name:22} {es:44} {statistics.mean(scores):5.1f} {m['revenue']:4.0f} {m['cost']:5.0f} "
              f"{m['customers']:4.0f} {m['stability']:4.0f} {m['trust']:5.0f} {statistics.mean(tm3):5.0f} "
              f"{statistics.mean(asm):5.0f}")
    rs = Counter(play("tw:random", sd)[1] for sd in range(101, 117))
    print("uniform random, 16 seeds:", dict(rs))
    print("design audit:", design_audit())



def flag_contract():
    """Where each flag is set, and where it is read in numbers (bills, conditional effects, odds,
    availability, capacity). Returns (rows, W options of months 1-3 whose choice never bites)."""
    import re as _re
    sets, reads = defaultdict(list), defaultdict(list)
    chose_reads = defaultdict(list)

    def note_reads(expr, where):
        for f in _re.findall(r"flag\.([a-z_0-9]+)", expr or ""):
            reads[f].append(where)
        for c in _re.findall(r"chose\(([^)]+)\)", expr or ""):
            chose_reads[c].append(where)

    for rd in P.ROUNDS:
        for c, d, why in rd["cap_mods"]:
            note_reads(c, f"M{rd['n']} capacity {d:+d}")
        for s in rd["scenes"] + rd["pool"]:
            if s.get("kplus"):
                note_reads(s["kplus"], f"{s['id']} pick one more")
            for c, x, why in s.get("bite", []):
                if x:
                    note_reads(c, f"{s['id']} bill {P.fmt(x)}")
            if s.get("when"):
                note_reads(s["when"], f"{s['id']} plays only if")
            w = s.get("weight")
            if isinstance(w, list):
                for c, v in w:
                    note_reads(c, f"{s['id']} odds x{v}")
            for o in s["options"]:
                for f in o["set"]:
                    sets[f].append(f"{s['id']}.{o['id']}")
                for c, x in o["cond"]:
                    note_reads(c, f"{s['id']}.{o['id']} {P.fmt(x)}")
                if o["when"]:
                    note_reads(o["when"], f"{s['id']}.{o['id']} offered only if")
    unbitten = []
    for rd in P.ROUNDS[:3]:
        for s in rd["scenes"] + rd["pool"]:
            for o in s["options"]:
                if not o["worst"]:
                    continue
                key = f"{s['id']}.{o['id']}"
                if not (any(reads.get(f) for f in o["set"]) or chose_reads.get(key)):
                    unbitten.append(key)
    return sets, reads, chose_reads, unbitten



if __name__ == "__main__":
    main()
