"""The S3 backend of `MAILLAGE_S3_BUCKET` (settings.STORAGES["default"]); imported only when a bucket is set."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage


class StockageObjetPrive(S3Storage):
    """django-storages' S3 backend whose `url()` is never the bucket's (not even a signed one): files are served by
    the views that check the rights (maillage.core.telechargements). What still asks a FieldFile for its URL (the
    admin's file widgets) gets the address it has with the local disk, under MEDIA_URL, which Maillage does not
    serve: a dead link, never a way around the rights nor a sight of the storage's address."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return FileSystemStorage(location=settings.MEDIA_ROOT, base_url=settings.MEDIA_URL).url(name)
