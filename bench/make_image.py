"""Writes an OCI image layout with 4 gzip layers holding ~5,000 small files and ~150 MB in all (half of it
incompressible), for the pull benchmark. Usage: make_image.py DIR"""
import gzip, hashlib, io, json, os, random, sys, tarfile

out = sys.argv[1]
os.makedirs(out + "/blobs/sha256", exist_ok=True)
rng = random.Random(7)

def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(f"{out}/blobs/sha256/{digest}", "wb") as f:
        f.write(data)
    return "sha256:" + digest

layers, diff_ids = [], []
for index in range(4):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for n in range(1250):
            data = (f"file {index}/{n}\n" * rng.randint(5, 60)).encode()
            info = tarfile.TarInfo(f"layer{index}/dir{n % 50}/file{n}.txt")
            info.size, info.mtime = len(data), 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
        big = rng.randbytes(18 << 20) + b"\0" * (18 << 20)
        info = tarfile.TarInfo(f"layer{index}/big.bin")
        info.size, info.mtime = len(big), 1_700_000_000
        tar.addfile(info, io.BytesIO(big))
    raw = buffer.getvalue()
    diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
    compressed = gzip.compress(raw, compresslevel=1, mtime=0)
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob(compressed), "size": len(compressed)})

config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(config), "size": len(config)},
                       "layers": layers}).encode()
digest = blob(manifest)
with open(out + "/oci-layout", "w") as f:
    f.write('{"imageLayoutVersion":"1.0.0"}')
with open(out + "/index.json", "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest,
                                                   "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "big"}}]}, f)
print(f"image: 4 layers, {sum(l['size'] for l in layers) / 1e6:.1f} MB compressed")
