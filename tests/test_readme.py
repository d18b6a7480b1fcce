"""Every image and link in README.md points at a file in the repository."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _local_targets(text: str) -> list[str]:
    targets = [m.group(1).split("#")[0] for m in LINK.finditer(text)]
    return [t for t in targets if t and not re.match(r"^[a-z]+://|^mailto:", t)]


def test_every_readme_image_and_link_exists_inside_the_repository():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = _local_targets(text)
    assert any(t.endswith(".png") for t in targets)  # the figures are checked too
    for target in targets:
        path = (ROOT / target).resolve()
        assert path.is_relative_to(ROOT), f"README links outside the repository: {target}"
        assert path.exists(), f"README links a missing file: {target}"
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", target


def test_the_link_check_sees_a_broken_image():
    assert _local_targets("![a](docs/x.png) [b](https://x.org) [c](LICENSE#top)") == ["docs/x.png", "LICENSE"]


def test_license_file_matches_pyproject():
    license = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]
    assert license == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
