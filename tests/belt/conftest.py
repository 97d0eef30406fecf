import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg(size=(2400, 1800), name="photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG", quality=95)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
