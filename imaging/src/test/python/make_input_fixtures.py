#!/usr/bin/env python3
"""Writes the small image fixtures of ImageInputsTest into imaging/src/test/resources/inputs/.

Run by hand (/usr/bin/python3 with PIL) when a fixture must change; the build only reads the committed files.
Every fixture is a few KB: large inputs (giant metadata) are grown from these by the Java test itself.
"""
import io
import os
import struct
import zlib

from PIL import Image, ImageCms

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "inputs")


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def pattern(width=37, height=29):
    """Every pixel different, so a misplaced Adam7 pass or a swapped channel shows."""
    image = Image.new("RGB", (width, height))
    image.putdata([((x * 7) % 256, (y * 9) % 256, (x * y + 31) % 256) for y in range(height) for x in range(width)])
    return image


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, idat_raw, interlace):
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(idat_raw, 9)) + png_chunk(b"IEND", b""))


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def interlaced_png(image):
    """PIL writes no Adam7 PNG, so the passes are laid out here (filter type 0 on every scanline)."""
    width, height = image.size
    pixels = image.load()
    raw = bytearray()
    for x0, y0, dx, dy in ADAM7:
        columns = range(x0, width, dx)
        if not columns:
            continue
        for y in range(y0, height, dy):
            raw.append(0)
            for x in columns:
                raw.extend(pixels[x, y])
    return png(width, height, bytes(raw), 1)


def plain_png(image):
    width, height = image.size
    pixels = image.load()
    raw = bytearray()
    for y in range(height):
        raw.append(0)
        for x in range(width):
            raw.extend(pixels[x, y])
    return png(width, height, bytes(raw), 0)


def gif_bomb(width, height):
    """A GIF whose screen and image descriptor claim width x height; its one LZW block holds a single pixel."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    descriptor = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    data = b"\x02" + b"\x02\x44\x01\x00"  # min code size 2, clear, pixel 0, end
    return screen + descriptor + data + b"\x3b"


def bmp_bomb(width, height):
    """A 24-bit BMP whose header claims width x height and whose pixel array is absent."""
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(info) + 16, 0, 0, 14 + len(info)) + info + bytes(16)


def iso_media(brand):
    """The first box of a HEIF/AVIF file: enough for a reader to know what it is; no encoder is needed."""
    ftyp = b"ftyp" + brand + struct.pack(">I", 0) + b"mif1" + brand
    return struct.pack(">I", 4 + len(ftyp)) + ftyp + bytes(64)


def twelve_bit_jpeg(image):
    """PIL writes no 12-bit JPEG. A baseline frame relabelled as extended (SOF1) with 12-bit precision is one: the
    Huffman tables and coefficients of the 8-bit file are valid 12-bit data (the image only comes out darker)."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    data = bytearray(buffer.getvalue())
    sof0 = data.index(b"\xff\xc0")
    data[sof0 + 1] = 0xC1
    data[sof0 + 4] = 12
    return bytes(data)


def s15f16(value):
    return struct.pack(">i", round(value * 65536))


def xyz_tag(x, y, z):
    return b"XYZ " + bytes(4) + s15f16(x) + s15f16(y) + s15f16(z)


def srgb_curve(v):
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def curve_tag(gamma=None):
    """A power curve (one u8Fixed8 gamma), or the sRGB curve sampled at 1024 points when gamma is None."""
    if gamma is not None:
        return b"curv" + bytes(4) + struct.pack(">IH", 1, round(gamma * 256)) + bytes(2)
    table = [round(srgb_curve(i / 1023) * 65535) for i in range(1024)]
    return b"curv" + bytes(4) + struct.pack(">I", len(table)) + struct.pack(">%dH" % len(table), *table)


def text_description(text):
    ascii_text = text.encode("ascii") + b"\0"
    return b"desc" + bytes(4) + struct.pack(">I", len(ascii_text)) + ascii_text + bytes(4 + 4 + 2 + 1 + 67)


def matrix_profile(name, red, green, blue, gamma):
    """An ICC v2 RGB display profile (matrix and tone curves), the kind cameras and phones embed. No profile file
    ships with this machine, so Adobe RGB (1998) and Display P3 are built from their published D50-adapted
    colorants."""
    curve = curve_tag(gamma)
    tags = [(b"desc", text_description(name)), (b"cprt", b"text" + bytes(4) + b"public domain\0"),
            (b"wtpt", xyz_tag(0.9642, 1.0, 0.8249)),
            (b"rXYZ", xyz_tag(*red)), (b"gXYZ", xyz_tag(*green)), (b"bXYZ", xyz_tag(*blue)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = bytearray(), bytearray()
    for signature, body in tags:
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body + bytes(-len(body) % 4)
    size = offset + len(data)
    header = (struct.pack(">I", size) + bytes(4) + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + bytes(4) + bytes(4) + bytes(8) + bytes(8)
              + bytes(4) + s15f16(0.9642) + s15f16(1.0) + s15f16(0.8249) + bytes(4) + bytes(16) + bytes(28))
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + bytes(table) + bytes(data)


ADOBE_RGB = matrix_profile("Adobe RGB (1998) (latentflow test)", (0.60974, 0.31111, 0.01947),
                           (0.20528, 0.62567, 0.06087), (0.14919, 0.06322, 0.74457), 563 / 256)
DISPLAY_P3 = matrix_profile("Display P3 (latentflow test)", (0.515121, 0.241196, -0.001053),
                            (0.291977, 0.692245, 0.041885), (0.157104, 0.066574, 0.784073), None)


def saturated(width=48, height=32):
    """Smooth ramps through saturated colours: where wide-gamut and sRGB values differ most."""
    image = Image.new("RGB", (width, height))
    image.putdata([(255 * x // (width - 1), 255 * y // (height - 1), 255 - 255 * x // (width - 1))
                   for y in range(height) for x in range(width)])
    return image


def tagged_with_reference(name, profile):
    """The image tagged with a wide-gamut profile (as PNG, and as JPEG), and its conversion to sRGB by littlecms
    (perceptual intent, which a matrix profile does as relative colorimetric) as the reference."""
    image = saturated()
    image.save(os.path.join(OUT, name + ".png"), "PNG", icc_profile=profile)
    image.save(os.path.join(OUT, name + ".jpg"), "JPEG", quality=95, subsampling=0, icc_profile=profile)
    source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    srgb = ImageCms.createProfile("sRGB")
    for kind in ("png", "jpg"):
        stored = Image.open(os.path.join(OUT, name + "." + kind)).convert("RGB")
        ImageCms.profileToProfile(stored, source, srgb, outputMode="RGB").save(
            os.path.join(OUT, name + "." + kind + ".srgb.png"), "PNG")


def main():
    os.makedirs(OUT, exist_ok=True)
    image = pattern()
    write("pattern.png", plain_png(image))
    write("pattern-adam7.png", interlaced_png(image))
    write("bomb-65535x65535.gif", gif_bomb(65535, 65535))
    write("bomb-50000x50000.bmp", bmp_bomb(50000, 50000))
    write("heic-ftyp.heic", iso_media(b"heic"))
    write("avif-ftyp.avif", iso_media(b"avif"))
    write("twelve-bit.jpg", twelve_bit_jpeg(pattern(64, 48)))
    tagged_with_reference("adobe-rgb", ADOBE_RGB)
    tagged_with_reference("display-p3", DISPLAY_P3)


if __name__ == "__main__":
    main()
