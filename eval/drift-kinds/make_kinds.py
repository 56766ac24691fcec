"""Cuts the images that picks.tsv names out of extracted Debian packages.

Run by make.sh (with /usr/bin/python3, never by the build):
    make_kinds.py <eval/drift-kinds folder> <folder holding one extracted package per sub-folder>
Writes <category>/<kind>/<name>.jpg, manifest.csv and licenses/<package>.copyright.
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile

from PIL import Image

Image.MAX_IMAGE_PIXELS = None
LONG_SIDE = 512
QUALITY = 90


def load(path):
    """Opens a raster image, or renders an SVG large enough to be downscaled after."""
    if not path.endswith((".svg", ".svgz")):
        return Image.open(path)
    with tempfile.NamedTemporaryFile(suffix=".png") as png:
        subprocess.run(["rsvg-convert", "-w", str(4 * LONG_SIDE), path, "-o", png.name], check=True)
        return Image.open(png.name).copy()


def flatten(image, background):
    """Transparent parts (line-art starters, tile sheets) are laid on a fixed background."""
    image = image.convert("RGBA")
    flat = Image.new("RGBA", image.size, background)
    flat.alpha_composite(image)
    return flat.convert("RGB")


def fit(image):
    """Longer side down to LONG_SIDE; smaller images keep their size, never upscaled."""
    image = flatten(image, (255, 255, 255, 255))
    w, h = image.size
    scale = LONG_SIDE / max(w, h)
    if scale < 1:
        image = image.resize((round(w * scale), round(h * scale)), Image.LANCZOS)
    return image


def pixels(image, x, y, w, h, k):
    """Pixel art keeps its hard pixels: a crop of a tile sheet, enlarged k times, nearest neighbour."""
    image = flatten(image, (0, 0, 0, 255)).crop((x, y, x + w, y + h))
    return image.resize((w * k, h * k), Image.NEAREST)


def doc_copyright(packages, package):
    """The package's copyright file, following a doc folder that links to another package's."""
    doc = os.path.join(packages, package, "usr/share/doc", package)
    if os.path.islink(doc):
        target = os.path.basename(os.readlink(doc))
        doc = os.path.join(packages, target, "usr/share/doc", target)
    return os.path.join(doc, "copyright")


def main(out, packages):
    picks = [line.rstrip("\n").split("\t") for line in open(os.path.join(out, "picks.tsv"), encoding="utf-8")
             if line.strip() and not line.startswith("#")]
    for category in ("photo", "illustration"):
        shutil.rmtree(os.path.join(out, category), ignore_errors=True)
    licenses = os.path.join(out, "licenses")
    os.makedirs(licenses, exist_ok=True)
    rows = []
    for category, kind, name, package, path, licence, author, processing in picks:
        source = os.path.join(packages, package, path)
        image = load(source)
        words = processing.split()
        image = pixels(image, *map(int, words[1:])) if words[0] == "pixels" else fit(image)
        relative = f"{category}/{kind}/{name}.jpg"
        os.makedirs(os.path.dirname(os.path.join(out, relative)), exist_ok=True)
        image.save(os.path.join(out, relative), "JPEG", quality=QUALITY, optimize=True)
        version = open(os.path.join(packages, package + ".version"), encoding="utf-8").read().strip()
        rows.append([relative, category, kind, package, version, "/" + path, licence, author,
                     f"{processing} -> {image.size[0]}x{image.size[1]}"])
        shutil.copyfile(doc_copyright(packages, package), os.path.join(licenses, package + ".copyright"))
    # lxqt-themes' wallpapers carry their own licence and credits beside them.
    shutil.copyfile(os.path.join(packages, "lxqt-themes/usr/share/lxqt/wallpapers/License"),
                    os.path.join(licenses, "lxqt-themes.wallpapers-License"))
    with open(os.path.join(out, "manifest.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["file", "category", "kind", "package", "package_version", "original_path",
                         "licence", "author", "processing"])
        writer.writerows(rows)
    print(f"{len(rows)} images written to {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
