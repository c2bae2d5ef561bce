"""The order a game shows a scene's choices in: a pure function of (seed, scene id).

Choices pinned ``first`` lead and ``last`` close; the rest are shuffled from one splitmix64 number of the
seed and the FNV-1a hash of the scene id, the same on every Python version (``hash()`` differs per process).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from .model import Choice, Scene

_M64 = (1 << 64) - 1
_SCENE_KEYS: dict = {}


def _mix(x: int) -> int:
    """splitmix64's finaliser: a well-spread 64-bit integer from another, the same on every Python."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _scene_key(scene_id: str) -> int:
    """FNV-1a (64 bit) of the scene id: a stable number for a name (``hash()`` differs per process)."""
    k = _SCENE_KEYS.get(scene_id)
    if k is None:
        k = 0xCBF29CE484222325
        for b in scene_id.encode("utf-8"):
            k = ((k ^ b) * 0x100000001B3) & _M64
        _SCENE_KEYS[scene_id] = k
    return k


def shown_order(scene: Scene, seed: int, shuffle: bool = True) -> list[Choice]:
    """The choices of ``scene`` in the order a game with ``seed`` shows them.

    Choices pinned ``first`` lead and ``last`` close, in the order written; the others are shuffled by
    a Fisher-Yates shuffle whose draws are the digits of one splitmix64 number of (seed, FNV-1a of the
    scene id) in the mixed radix n, n-1, ... 2 (remixed every 16 draws): the same for every learner
    with that seed, on every Python version, and independent of the path taken through the story."""
    split = _SPLITS.get(scene)
    if split is None:
        split = _split(scene)
    first, middle, last = split
    n = len(middle)
    if shuffle and n > 1 and scene.shuffle:
        key = _SCENE_KEYS.get(scene.id)
        if key is None:
            key = _scene_key(scene.id)
        x = (((seed & _M64) ^ key) + 0x9E3779B97F4A7C15) & _M64  # splitmix64, inline: this runs per scene
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
        x ^= x >> 31
        if n <= _TABLED:
            table = _PERMS.get(n) or _perms(n)
            middle = [middle[i] for i in table[x % len(table)]]
        else:
            middle = _fisher_yates(list(middle), x)
    elif not (first or last):
        return list(middle)
    return first + middle + last if (first or last) else middle


def _fisher_yates(items: list, x: int) -> list:
    r = x
    for step, i in enumerate(range(len(items) - 1, 0, -1)):
        if step and not step % 16:
            x = _mix(x)
            r = x
        j = r % (i + 1)
        r //= i + 1
        items[i], items[j] = items[j], items[i]
    return items


_TABLED = 5  # up to 5 choices the permutations are tabled (5! = 120, built in well under a ms): same orders, faster
_PERMS: dict = {}


def _perms(n: int) -> list:
    """Every shuffle of n items, indexed by the random number modulo n!: the digits of r in the radix
    n, n-1, ... 2 drive Fisher-Yates, so r and r mod n! give the same order."""
    count = 1
    for k in range(2, n + 1):
        count *= k
    table = []
    for r in range(count):
        table.append(tuple(_fisher_yates(list(range(n)), r)))
    _PERMS[n] = table
    return table


_SPLITS: dict = {}  # Scene -> (pinned first, the rest, pinned last); stories are read-only


def _split(scene: Scene) -> tuple:
    choices = scene.choices
    if any(c.pin for c in choices):
        split = (
            [c for c in choices if c.pin == "first"],
            [c for c in choices if c.pin is None],
            [c for c in choices if c.pin == "last"],
        )
    else:
        split = ([], list(choices), [])
    if len(_SPLITS) >= 50_000:  # many stories in one process (tests): start over
        _SPLITS.clear()
    _SPLITS[scene] = split
    return split
