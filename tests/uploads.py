"""Real files for upload tests, made with Pillow, files that lie about their type, and a
real S3-compatible server (moto's) to store them in."""

import io
import socket

import pytest
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


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of moto's S3 server, run in a thread on a free local port."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()
