"""Copy the key figures shown by the README and the landing page out of the executed chapters.

`make figures`: each figure is a named figure of a chapter, exactly as the last `make book`
executed it (from the execution cache), so the README shows the pictures the book shows.
"""

from __future__ import annotations

from .chapters import ROOT, cached_notebook

FIGURES = {
    "posterior-band.svg": ("plots", "fig-plots-predictive"),
    "mcmc-vs-closed-form.svg": ("pymc", "fig-pymc-band"),
    "glm-fan.svg": ("glm-two-ways", "fig-glm-fan"),
}


def figure_from_chapter(chapter: str, name: str) -> str:
    """The SVG of the cell whose figure is named ``name`` in ``chapter`` as executed into the cache."""
    notebook = cached_notebook(ROOT / "chapters" / f"{chapter}.md")
    if notebook is None:
        raise SystemExit(f"chapter {chapter} is not in the execution cache: run `make book` first")
    for cell in notebook.cells:
        if cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name") == name:
            outputs = cell.get("outputs", [])
            images = [out["data"]["image/svg+xml"] for out in outputs if "image/svg+xml" in out.get("data", {})]
            if len(images) != 1:
                raise SystemExit(f"{chapter}: figure {name} has {len(images)} SVG outputs, expected 1")
            return images[0]
    raise SystemExit(f"{chapter}: no cell with figure name {name}")


def main() -> None:
    (ROOT / "figures").mkdir(exist_ok=True)
    for filename, (chapter, name) in FIGURES.items():
        (ROOT / "figures" / filename).write_text(figure_from_chapter(chapter, name))
        print(f"figures/{filename} <- {chapter}: {name}")


if __name__ == "__main__":
    main()
