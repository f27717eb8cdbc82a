#!/usr/bin/env python3
"""Draws the add-in's icons (three rising bars: Contact, Rapport, Relationship) as PNGs, with no image library.
Run once after changing the design: python3 manifest/tools/make-icons.py src/MailRapport.Server/Pane/wwwroot/assets"""
import struct, sys, zlib, os

ACCENT = (0x2B, 0x57, 0x9A, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)

def png(path, size, pixel):
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y, size)) for x in range(size)) for y in range(size))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))

def bars(x, y, n):
    # three bars of rising height, in unit coordinates
    u, v = (x + 0.5) / n, (y + 0.5) / n
    for i, h in enumerate((0.30, 0.48, 0.66)):
        left = 0.20 + i * 0.22
        if left <= u <= left + 0.16 and 0.82 - h <= v <= 0.82:
            return True
    return False

def rounded(x, y, n, r=0.18):
    u, v = (x + 0.5) / n, (y + 0.5) / n
    cx = min(max(u, r), 1 - r); cy = min(max(v, r), 1 - r)
    return (u - cx) ** 2 + (v - cy) ** 2 <= r * r

def color(x, y, n):
    if not rounded(x, y, n): return CLEAR
    return WHITE if bars(x, y, n) else ACCENT

def outline(x, y, n):
    return WHITE if bars(x, y, n) else CLEAR

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for size in (16, 32, 64, 80, 128):
    png(os.path.join(out, f"icon-{size}.png"), size, color)
png(os.path.join(out, "color.png"), 192, color)
png(os.path.join(out, "outline.png"), 32, outline)
