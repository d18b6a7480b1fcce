"""Packaging beyond pyproject.toml: the scenario files, the observed record and the brief go
into the wheel as sim/_shipped/ (sim.shipped finds them there), so that an installed `sim`
has its shipped scenarios and its record without this checkout. An editable install reads
them from the checkout instead."""

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from sim.shipped import SHIPPED  # noqa: E402 (a module of paths only: no dependencies)


class BuildWithShipped(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "sim" / "_shipped"
        for name, source in SHIPPED.items():
            src, dst = ROOT / source, target / name
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)


setup(cmdclass={"build_py": BuildWithShipped})
