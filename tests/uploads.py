"""Real files for upload tests, made with Pillow, and files that lie about their type."""

import io

from PIL import Image


def image_bytes(fmt="PNG", size=(40, 30), color=(200, 30, 30)):
    buffer = io.BytesIO()
    mode = "P" if fmt == "GIF" else "RGB"
    Image.new(mode, size, color if mode == "RGB" else 1).save(buffer, fmt)
    return buffer.getvalue()


def pdf_bytes(pages=1, size=(200, 100)):
    """A real PDF (Pillow writes one page per image)."""
    buffer = io.BytesIO()
    images = [Image.new("RGB", size, (i * 40 % 255, 90, 160)) for i in range(pages)]
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def upload(content, filename, content_type):
    return (io.BytesIO(content), filename, content_type)


TEXT = b"just some text, not an image or a PDF\n"
