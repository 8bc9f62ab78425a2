#!/usr/bin/env python3
"""The AWS CLI's own log-file check (awscli/customizations/cloudtrail/validation.py, _download_log):
zlib.decompressobj(MAX_WBITS | 16) fed in 2048-byte reads, SHA-256 of the output, one file at a
time on one core. Run over the same files as ctl to compare speeds. Prints MB/s of uncompressed data."""
import hashlib, os, sys, time, zlib

root = sys.argv[1]
files = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if "/CloudTrail/" in os.path.join(d, f)]
began = time.time()
total = 0
for path in files:
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            chunk = f.read(2048)
            if not chunk:
                break
            out = d.decompress(chunk)
            h.update(out)
            total += len(out)
    h.update(d.flush())
secs = time.time() - began
print(f"{len(files)} files, {total / 1e6:.1f} MB uncompressed, {secs:.2f} s, {total / 1e6 / secs:.0f} MB/s")
