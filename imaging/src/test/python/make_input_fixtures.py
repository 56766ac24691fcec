#!/usr/bin/env python3
"""Writes the small image fixtures of ImageInputsTest into imaging/src/test/resources/inputs/.

Run by hand (/usr/bin/python3 with PIL) when a fixture must change; the build only reads the committed files.
Every fixture is a few KB: large inputs (giant metadata) are grown from these by the Java test itself.
"""
import io
import os
import struct
import zlib

from PIL import Image

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


if __name__ == "__main__":
    main()
