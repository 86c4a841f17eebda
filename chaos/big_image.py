"""Copies the busybox OCI layout SRC to DST with LAYERS more layers of MB megabytes of random data each (gzip
level 1, so incompressible): a runnable image big enough to kill a registry during its pull.
Usage: big_image.py SRC DST LAYERS MB"""
import gzip, hashlib, io, json, os, random, shutil, sys, tarfile

src, dst, count, megabytes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
shutil.copytree(src, dst)
blobs = dst + "/blobs/sha256"

def read(digest):
    return open(f"{blobs}/{digest.split(':')[1]}", "rb").read()

def put(data):
    digest = hashlib.sha256(data).hexdigest()
    open(f"{blobs}/{digest}", "wb").write(data)
    return "sha256:" + digest

index = json.load(open(dst + "/index.json"))
manifest = json.loads(read(index["manifests"][0]["digest"]))
config = json.loads(read(manifest["config"]["digest"]))
rng = random.Random(11)
for number in range(count):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        data = rng.randbytes(megabytes << 20)
        info = tarfile.TarInfo(f"payload/{number}.bin")
        info.size, info.mtime = len(data), 1_700_000_000
        tar.addfile(info, io.BytesIO(data))
    raw = buffer.getvalue()
    config["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(raw).hexdigest())
    compressed = gzip.compress(raw, compresslevel=1, mtime=0)
    manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(compressed), "size": len(compressed)})
config_bytes = json.dumps(config).encode()
manifest["config"] = {"mediaType": manifest["config"]["mediaType"], "digest": put(config_bytes), "size": len(config_bytes)}
manifest_bytes = json.dumps(manifest).encode()
index["manifests"] = [{"mediaType": index["manifests"][0].get("mediaType", "application/vnd.oci.image.manifest.v1+json"),
                       "digest": put(manifest_bytes), "size": len(manifest_bytes), "annotations": {"org.opencontainers.image.ref.name": "big"}}]
json.dump(index, open(dst + "/index.json", "w"))
