"""Build of the optional compiled accelerator xlplan._xlscan (the project's metadata is in pyproject.toml).

The extension is optional: where no C compiler is at hand, the install still succeeds and xlplan reads workbooks
in pure Python (the same results, slower).
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class _BuildExt(build_ext):
    """-O2 and the warnings on, for gcc and clang (other compilers keep their defaults)."""

    def build_extensions(self) -> None:
        if self.compiler.compiler_type == "unix":
            for ext in self.extensions:
                ext.extra_compile_args = [*ext.extra_compile_args, "-O2", "-Wall", "-Wextra"]
        super().build_extensions()


setup(
    ext_modules=[Extension("xlplan._xlscan", ["xlplan/_xlscan.c"], optional=True)],
    cmdclass={"build_ext": _BuildExt},
)
