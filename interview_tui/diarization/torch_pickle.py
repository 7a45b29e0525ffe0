"""Read tensors from a legacy (pre-1.6, non-zip) PyTorch checkpoint without PyTorch.

The legacy format is a run of pickles: a magic number, the protocol version, system info,
the object itself (tensors refer to their storages by persistent id), the list of storage
keys, and then each storage's raw bytes, preceded by its element count.  We rebuild the
tensors as numpy arrays; any class outside the small allowed set is refused, so a hostile
file cannot run code the way `torch.load` on an untrusted file can.
"""

from __future__ import annotations

import collections
import pickle
import struct
from typing import IO, Any

import numpy as np

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C

_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class CheckpointError(Exception):
    """The file is not a legacy torch checkpoint this reader understands."""


class _Storage:
    def __init__(self, key: str, dtype: type, size: int) -> None:
        self.key, self.dtype, self.size = key, dtype, size
        self.data: np.ndarray | None = None


class _Tensor:
    """A view on a storage, resolved once the storages have been read."""

    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple) -> None:
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def array(self) -> np.ndarray:
        data = self.storage.data
        assert data is not None
        item = data.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[self.offset :], shape=self.size, strides=tuple(s * item for s in self.stride)
        )
        return np.array(view)  # a copy: the storage can go


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad=False, hooks=None, *_):
    return _Tensor(storage, offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, hooks=None, *_):
    return data


class _Unpickler(pickle.Unpickler):
    def __init__(self, fh: IO[bytes], storages: dict[str, _Storage]) -> None:
        super().__init__(fh, encoding="utf-8")
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch" and name in _DTYPES:
            return name
        raise CheckpointError(f"refusing to load {module}.{name} from a checkpoint")

    def persistent_load(self, pid: Any) -> Any:
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise CheckpointError(f"unexpected persistent id {pid!r}")
        _, type_name, key, _location, size = pid[:5]
        if pid[5:] and pid[5] is not None:
            raise CheckpointError("storage views are not supported")
        if key not in self.storages:
            self.storages[key] = _Storage(key, _DTYPES[type_name], int(size))
        return self.storages[key]


def _to_arrays(obj: Any) -> Any:
    if isinstance(obj, _Tensor):
        return obj.array()
    if isinstance(obj, dict):
        return {k: _to_arrays(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_arrays(v) for v in obj)
    return obj


def load_legacy_checkpoint(fh: IO[bytes]) -> Any:
    """The checkpoint's object with every tensor as a numpy array (raises CheckpointError)."""
    try:
        if pickle.load(fh) != MAGIC_NUMBER:
            raise CheckpointError("not a legacy torch checkpoint (wrong magic number)")
        if pickle.load(fh) != 1001:
            raise CheckpointError("unsupported torch checkpoint protocol version")
        pickle.load(fh)  # sys info: byte order, type sizes
        storages: dict[str, _Storage] = {}
        obj = _Unpickler(fh, storages).load()
        keys = pickle.load(fh)
        for key in keys:
            st = storages[key]
            (count,) = struct.unpack("<q", fh.read(8))
            raw = fh.read(count * np.dtype(st.dtype).itemsize)
            if count != st.size or len(raw) != count * np.dtype(st.dtype).itemsize:
                raise CheckpointError(f"storage {key} is truncated")
            st.data = np.frombuffer(raw, dtype=st.dtype)
    except CheckpointError:
        raise
    except (pickle.UnpicklingError, EOFError, KeyError, struct.error, ValueError, TypeError) as exc:
        raise CheckpointError(f"broken torch checkpoint: {type(exc).__name__}: {exc}") from exc
    return _to_arrays(obj)
