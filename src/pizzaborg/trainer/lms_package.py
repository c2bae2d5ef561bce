"""LMS packages for an assignment: a cmi5 course structure and SCORM 1.2 / 2004 dispatch packages.

Trainers assign homework through the platform their company runs; these files are what they upload there.
Every package points at the class server (``pizzaborg serve --assignment``): the game is never copied into
the LMS, so the hand-in is recorded and signed by the class server as in any class, and the full xAPI
record still goes to the assignment's LRS (dual tracking).

- ``cmi5``: ``cmi5.xml`` (courseStructure, CourseStructure.xsd of cmi5), one AU whose url is the class
  server's cmi5 launch, the story's learning points as objectives, ``masteryScore`` and ``moveOn`` from
  the assignment, titles and descriptions as langstrings in every language the story has. Bare, or in a
  zip: every URL in it is absolute.
- ``scorm12`` / ``scorm2004``: ``imsmanifest.xml`` and ``launch.html`` (:data:`LAUNCH_PAGE`). The launch
  page finds the LMS's SCORM API, exchanges the package's token and the learner's LMS id at the class
  server for a one-time launch URL, frames the game and relays its end (status, score and, in 2004, the
  learning points as ``cmi.objectives``) to the LMS.

The package token is scoped to the assignment and signed (HMAC-SHA256) with the class server's key (the
hand-ins folder's ``.pizzaborg-class-key``): the key itself never leaves the trainer's machine, and a token
made for another assignment or with another key is refused by the server (``web/scorm.py``).

Ids are derived from the assignment and the story (same input, same ids and the same bytes: a zip's
entries carry a fixed time). Domain code: no web library here (xml.etree, zipfile, hmac).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from ..engine.errors import PizzaBorgError
from ..engine.i18n import N_

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..engine.model import Story
    from .assignment import Assignment

KINDS = ("cmi5", "scorm12", "scorm2004")
CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
CMI5_LAUNCH_PATH = "cmi5/launch"  # the class server's cmi5 AU, under --url
SCORM_LAUNCH_PATH = "scorm/launch"  # where a SCORM package's launch page trades its token (web/scorm.py)
LAUNCH_FILE = "launch.html"
LAUNCH_PAGE = Path(__file__).resolve().parent / "lms_launch.html"
# what the launch page says, in the interface's languages: the page picks the learner's language in the LMS
# (cmi.student_preference.language in 1.2, cmi.learner_preference.language in 2004), else the browser's
LAUNCH_LANGUAGES = ("en", "nl", "fr", "sv", "nb", "es-419")
LAUNCH_MESSAGES = {
    "starting": N_("Starting PizzaBorg…"),
    "no_api": N_("This activity must be opened from your learning platform (no SCORM {version} API found)."),
    "not_started": N_("The learning platform did not start this activity. Open it again."),
    "recorded": N_("Your result is recorded in your learning platform."),
    "refused": N_("The class server did not start the game: {why}."),
    "other_site": N_("The class server answered with another site's address."),
    "unreachable": N_("The class server cannot be reached ({server}). Try again later."),
}
TOKEN_PURPOSE = b"pizzaborg-lms-package:"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # every entry: the same package for the same input
AU_TYPE = "http://adlnet.gov/expapi/activities/simulation"  # as the xAPI statements' AU (trainer/xapi.py)
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCORM12 = {
    "": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
}
SCORM2004 = {
    "": "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
}
SCHEMA_LOCATIONS = {
    "scorm12": "http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd "
    "http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd",
    "scorm2004": "http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd "
    "http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd "
    "http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd "
    "http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd "
    "http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd",
}
_URL_RE = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


class PackageError(PizzaBorgError):
    """A package that cannot be made; the message is one line."""


@dataclass(frozen=True)
class Point:
    """A learning point as an objective: its IRI and its name and description in each language."""

    id: str
    iri: str
    names: dict[str, str]
    descriptions: dict[str, str]


# ---- ids ---------------------------------------------------------------------------------------


def _id_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._~-]", "-", text)


def course_iri(assignment: Assignment) -> str:
    """The course's IRI: one per assignment."""
    from .xapi import ACTIVITY_BASE

    return f"{ACTIVITY_BASE}/assignments/{assignment.id}"


def au_id(assignment: Assignment) -> str:
    """The AU's IRI (the activity the LMS names in the launch): one per assignment, so that two courses in
    one LMS never share an AU."""
    return course_iri(assignment) + "/au"


def objective_iri(story_id: str, point_id: str) -> str:
    """A learning point's IRI: the objective the xAPI statements name (trainer/xapi.py), the same in every
    assignment of the story."""
    from .xapi import ACTIVITY_BASE

    return f"{ACTIVITY_BASE}/stories/{_id_part(story_id)}/points/{_id_part(point_id)}"


def check_url(url: object) -> str:
    """The class server's address as learners' browsers reach it: http(s), no query; ends with '/'."""
    if not isinstance(url, str) or not _URL_RE.match(url.strip()):
        raise PackageError("--url must be the class server's http(s) address, e.g. https://class.example.org/")
    url = url.strip()
    return url if url.endswith("/") else url + "/"


# ---- the token -----------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(key: bytes, assignment: Assignment, kind: str, url: str) -> str:
    """The package's launch token: ``<payload>.<mac>``, the payload naming the assignment, the package kind
    and the server's URL, signed with the class key. The same input gives the same token."""
    body = json.dumps({"v": 1, "a": assignment.id, "k": kind, "u": url}, sort_keys=True, separators=(",", ":"))
    payload = _b64(body.encode("utf-8"))
    return payload + "." + hmac.new(key, TOKEN_PURPOSE + payload.encode("ascii"), hashlib.sha256).hexdigest()


def read_token(key: bytes, token: object, assignment_id: str) -> dict | None:
    """The token's payload when it is signed with ``key`` and made for ``assignment_id``; else None."""
    if not isinstance(token, str) or len(token) > 1024 or token.count(".") != 1:
        return None
    payload, mac = token.split(".")
    want = hmac.new(key, TOKEN_PURPOSE + payload.encode("ascii", "replace"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, mac):
        return None
    try:
        data = json.loads(_unb64(payload))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("v") != 1 or data.get("a") != assignment_id:
        return None
    return data if data.get("k") in KINDS else None


# ---- the story's words -----------------------------------------------------------------------


def _languages(story: Story, story_dir: str | None) -> list[tuple[str, Story]]:
    """The story in each language it has: its own first, then its translations (a translation that cannot
    be used is left out: the course still has the story's own words)."""
    from ..engine import l10n

    found = [(story.language or "en", story)]
    root = Path(story_dir) if story_dir is not None else Path(story.root)
    try:  # the translations beside the story: l10n/<lang>.yaml (as play/language.py finds them)
        with os.scandir(root / "l10n") as entries:
            langs = sorted(e.name[: -len(".yaml")] for e in entries if e.name.endswith(".yaml") and e.is_file())
    except OSError:
        langs = []
    for lang in langs:
        if lang == found[0][0]:
            continue
        try:
            found.append((lang, l10n.translate(story, lang)))
        except l10n.L10nError:
            continue
    return found


def points(story: Story, versions: list[tuple[str, Story]]) -> list[Point]:
    out = []
    for pid, point in story.points.items():
        names, descriptions = {}, {}
        for lang, s in versions:
            p = s.points.get(pid, point)
            names[lang] = p.name
            descriptions[lang] = p.description or p.name
        out.append(Point(pid, objective_iri(story.id, pid), names, descriptions))
    return out


def _one_line(text: str) -> str:
    from ..engine.text import clean

    return " ".join(clean(str(text)).split())


# ---- cmi5 -------------------------------------------------------------------------------------


def _langstrings(parent: ET.Element, tag: str, texts: dict[str, str]) -> None:
    el = ET.SubElement(parent, f"{{{CMI5_NS}}}{tag}")
    for lang, text in texts.items():
        ET.SubElement(el, f"{{{CMI5_NS}}}langstring", {"lang": lang}).text = _one_line(text)


def cmi5_xml(assignment: Assignment, story: Story, url: str, story_dir: str | None = None) -> bytes:
    """The cmi5 course structure (UTF-8 XML) for ``assignment``, whose class server is at ``url``."""
    url = check_url(url)
    versions = _languages(story, story_dir)
    pts = points(story, versions)
    ET.register_namespace("", CMI5_NS)
    n = lambda tag: f"{{{CMI5_NS}}}{tag}"  # noqa: E731
    root = ET.Element(n("courseStructure"))
    course = ET.SubElement(root, n("course"), {"id": course_iri(assignment)})
    _langstrings(course, "title", {lang: f"{s.title}: {assignment.cohort}" for lang, s in versions})
    _langstrings(
        course, "description", {lang: assignment.note or s.company_description or s.title for lang, s in versions}
    )
    if pts:
        objectives = ET.SubElement(root, n("objectives"))
        for p in pts:
            obj = ET.SubElement(objectives, n("objective"), {"id": p.iri})
            _langstrings(obj, "title", p.names)
            _langstrings(obj, "description", p.descriptions)
    attrs = {
        "id": au_id(assignment),
        # OwnWindow: the class server's pages refuse to be framed (CSP frame-ancestors 'none', against
        # click-jacking), the game's terminal wants the whole window, and the AU returns to the LMS's
        # returnURL when the game ends
        "launchMethod": "OwnWindow",
        "moveOn": "CompletedAndPassed" if assignment.mastery is not None else "Completed",
        "activityType": AU_TYPE,
    }
    if assignment.mastery is not None:
        attrs["masteryScore"] = f"{assignment.mastery:g}"
    au = ET.SubElement(root, n("au"), attrs)
    _langstrings(au, "title", {lang: s.title for lang, s in versions})
    _langstrings(au, "description", {lang: s.company_description or s.title for lang, s in versions})
    if pts:
        refs = ET.SubElement(au, n("objectives"))
        for p in pts:
            ET.SubElement(refs, n("objective"), {"idref": p.iri})
    ET.SubElement(au, n("url")).text = url + CMI5_LAUNCH_PATH
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# ---- SCORM ------------------------------------------------------------------------------------


def _manifest_id(assignment: Assignment, kind: str) -> str:
    return f"pizzaborg-{kind}-{assignment.id}"  # an xs:ID: starts with a letter


def scorm_manifest(assignment: Assignment, story: Story, kind: str) -> bytes:
    """imsmanifest.xml of the SCORM 1.2 or 2004 (4th edition) dispatch package."""
    ns = SCORM12 if kind == "scorm12" else SCORM2004
    for prefix, uri in ns.items():
        ET.register_namespace(prefix, uri)
    ET.register_namespace("xsi", XSI)
    cp = lambda tag: f"{{{ns['']}}}{tag}"  # noqa: E731
    adl = lambda tag: f"{{{ns['adlcp']}}}{tag}"  # noqa: E731
    title = _one_line(f"{story.title}: {assignment.cohort}")
    root = ET.Element(
        cp("manifest"),
        {
            "identifier": _manifest_id(assignment, kind),
            "version": "1",
            f"{{{XSI}}}schemaLocation": SCHEMA_LOCATIONS[kind],
        },
    )
    meta = ET.SubElement(root, cp("metadata"))
    ET.SubElement(meta, cp("schema")).text = "ADL SCORM"
    ET.SubElement(meta, cp("schemaversion")).text = "1.2" if kind == "scorm12" else "2004 4th Edition"
    orgs = ET.SubElement(root, cp("organizations"), {"default": "org"})
    org = ET.SubElement(orgs, cp("organization"), {"identifier": "org"})
    ET.SubElement(org, cp("title")).text = title
    item = ET.SubElement(org, cp("item"), {"identifier": "game", "identifierref": "launch", "isvisible": "true"})
    ET.SubElement(item, cp("title")).text = _one_line(story.title)
    if kind == "scorm12":
        if assignment.mastery is not None:  # 0-100: the LMS may set passed/failed from the raw score itself
            ET.SubElement(item, adl("masteryscore")).text = f"{round(assignment.mastery * 100, 2):g}"
    else:
        ss = lambda tag: f"{{{ns['imsss']}}}{tag}"  # noqa: E731
        seq = ET.SubElement(item, ss("sequencing"))
        objectives = ET.SubElement(seq, ss("objectives"))
        primary = {"objectiveID": course_iri(assignment) + "/mastery"}
        if assignment.mastery is not None:  # passed = score.scaled >= mastery, as the report counts it
            primary["satisfiedByMeasure"] = "true"
        prim = ET.SubElement(objectives, ss("primaryObjective"), primary)
        if assignment.mastery is not None:
            ET.SubElement(prim, ss("minNormalizedMeasure")).text = f"{assignment.mastery:g}"
        for pid in story.points:
            ET.SubElement(objectives, ss("objective"), {"objectiveID": objective_iri(story.id, pid)})
        ET.SubElement(seq, ss("deliveryControls"), {"completionSetByContent": "true", "objectiveSetByContent": "true"})
    resources = ET.SubElement(root, cp("resources"))
    scorm_type = "scormtype" if kind == "scorm12" else "scormType"
    res = ET.SubElement(
        resources,
        cp("resource"),
        {"identifier": "launch", "type": "webcontent", adl(scorm_type): "sco", "href": LAUNCH_FILE},
    )
    ET.SubElement(res, cp("file"), {"href": LAUNCH_FILE})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def launch_messages() -> dict[str, dict[str, str]]:
    """The launch page's messages in each of ``LAUNCH_LANGUAGES``, from the interface's catalogues (English
    where a catalogue lacks one)."""
    from ..engine.i18n import translator

    return {
        lang: {key: translator(lang).gettext(text) for key, text in LAUNCH_MESSAGES.items()}
        for lang in LAUNCH_LANGUAGES
    }


def launch_page(assignment: Assignment, story: Story, kind: str, url: str, token: str) -> bytes:
    """The package's launch page: the static page with its settings (JSON, safe inside a script element)."""
    config = {
        "version": "1.2" if kind == "scorm12" else "2004",
        "server": url,
        "launch": url + SCORM_LAUNCH_PATH,
        "token": token,
        "mastery": assignment.mastery,
        "objectives": {pid: objective_iri(story.id, pid) for pid in story.points},
        "title": _one_line(story.title),
        "messages": launch_messages(),
    }
    text = json.dumps(config, sort_keys=True, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e")
    from ..engine.files import read_bounded

    page = read_bounded(LAUNCH_PAGE, 256 * 1024).decode("utf-8")  # our own file, through the one reader
    return page.replace("{{PIZZABORG_CONFIG}}", text.replace("&", "\\u0026")).encode("utf-8")


# ---- writing ----------------------------------------------------------------------------------


def package_files(
    kind: str, assignment: Assignment, story: Story, url: str, key: bytes, story_dir: str | None = None
) -> dict[str, bytes]:
    """The files of the package, by name in the zip."""
    if kind not in KINDS:
        raise PackageError(f"unknown package '{kind}': choose one of {', '.join(KINDS)}")
    assignment.check_story(story)
    url = check_url(url)
    if kind == "cmi5":
        return {"cmi5.xml": cmi5_xml(assignment, story, url, story_dir)}
    token = make_token(key, assignment, kind, url)
    return {
        "imsmanifest.xml": scorm_manifest(assignment, story, kind),
        LAUNCH_FILE: launch_page(assignment, story, kind, url, token),
    }


def zip_bytes(files: dict[str, bytes]) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files, key=lambda n: (n != "imsmanifest.xml" and n != "cmi5.xml", n)):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


def write_package(
    kind: str,
    assignment: Assignment,
    story: Story,
    url: str,
    key: bytes,
    output: str | os.PathLike,
    story_dir: str | None = None,
    force: bool = False,
) -> Path:
    """Write the package to ``output``: a zip, or for cmi5 the bare ``cmi5.xml`` when ``output`` ends in
    .xml. Replaces the file atomically; an existing one only with ``force``."""
    files = package_files(kind, assignment, story, url, key, story_dir)
    target = Path(output)
    if target.suffix.lower() == ".xml":
        if kind != "cmi5":
            raise PackageError("a SCORM package is a zip (its launch page goes with the manifest): use -o NAME.zip")
        data = files["cmi5.xml"]
    elif target.suffix.lower() == ".zip":
        data = zip_bytes(files)
    else:
        raise PackageError("-o must name a .zip (or, for cmi5, a .xml) file")
    if target.exists() and not force:
        raise PackageError(f"{target} exists; use --force to replace it")
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)  # uploaded to the LMS: nothing secret in it but the token
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError as exc:
        raise PackageError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target
