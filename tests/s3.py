"""An S3-compatible server on the loopback (moto's standalone server) standing for the production object storage.

`serveur_s3()` starts one server for the whole test session (a thread of this process, reachable by other
processes through its port); `reglages_s3(serveur, bucket)` gives the environment and the `STORAGES["default"]`
entry that point Maillage at a fresh bucket of it, the way `MAILLAGE_S3_*` variables do in production.
"""

import socket
import uuid
from contextlib import contextmanager

CLE = "maillage-test"
SECRET = "maillage-test-secret"
REGION = "eu-west-3"


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeurS3:
    def __init__(self):
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise

        self.port = port_libre()
        self._serveur = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def demarrer(self):
        self._serveur.start()

    def arreter(self):
        self._serveur.stop()

    def client(self):
        import boto3

        return boto3.client(
            "s3", endpoint_url=self.url, aws_access_key_id=CLE, aws_secret_access_key=SECRET, region_name=REGION
        )

    def creer_bucket(self, nom: str = "") -> str:
        nom = nom or f"maillage-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=nom, CreateBucketConfiguration={"LocationConstraint": REGION})
        return nom

    def objets(self, bucket: str) -> list[str]:
        reponse = self.client().list_objects_v2(Bucket=bucket)
        return [o["Key"] for o in reponse.get("Contents", [])]

    def environnement(self, bucket: str) -> dict[str, str]:
        """The variables a production server would set (maillage/settings.py reads them)."""
        return {
            "MAILLAGE_S3_BUCKET": bucket,
            "MAILLAGE_S3_ENDPOINT_URL": self.url,
            "MAILLAGE_S3_REGION": REGION,
            "MAILLAGE_S3_ACCESS_KEY_ID": CLE,
            "MAILLAGE_S3_SECRET_ACCESS_KEY": SECRET,
            "MAILLAGE_S3_ADRESSAGE": "path",
        }

    def stockage(self, bucket: str) -> dict:
        """The `STORAGES["default"]` entry those variables produce."""
        return {
            "BACKEND": "maillage.core.stockage_objet.StockageObjetPrive",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": self.url,
                "region_name": REGION,
                "access_key": CLE,
                "secret_key": SECRET,
                "location": "",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
                "querystring_expire": 60,
            },
        }


@contextmanager
def serveur_s3():
    serveur = ServeurS3()
    serveur.demarrer()
    try:
        yield serveur
    finally:
        serveur.arreter()
