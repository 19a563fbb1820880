# SPDX-License-Identifier: MIT
# Type stubs of the boxmix package (the pure-Python layer and its C extension).
import os
from typing import Any, Callable, Iterator, Literal, Sequence, overload

import numpy as np
import numpy.typing as npt

__version__: str
MAX_PIXELS: int

_Path = str | os.PathLike[str]
_Image = npt.NDArray[np.uint8]

class Error(Exception):
    status: int
    status_name: str
class InvalidError(Error, ValueError): ...
class NoMemoryError(Error, MemoryError): ...
class FileError(Error, OSError): ...
class ParseError(Error, ValueError): ...
class SchemaError(Error, ValueError): ...
class SizeOverflowError(Error, OverflowError): ...
class LimitError(Error, ValueError): ...
class DecodeError(Error): ...
class EncodeError(Error): ...
class StateError(Error): ...
class CancelledError(Error): ...

class Sample:
    def __init__(self, image: npt.ArrayLike, objects: Sequence[dict[str, Any]] = ...,
                 info: dict[str, Any] | None = ...) -> None: ...
    @property
    def image(self) -> _Image: ...
    @property
    def objects(self) -> list[dict[str, Any]]: ...
    @property
    def info(self) -> dict[str, Any]: ...
    def __len__(self) -> int: ...

class Dataset:
    def __len__(self) -> int: ...
    @property
    def categories(self) -> list[dict[str, Any]]: ...
    @overload
    def __getitem__(self, i: int) -> Sample: ...
    @overload
    def __getitem__(self, i: slice) -> list[Sample]: ...
    def __iter__(self) -> Iterator[Sample]: ...

def read_coco(path: _Path, images: _Path | None = ..., max_pixels: int = ...) -> Dataset: ...
def read_voc(path: _Path, split: str | None = ..., labels: _Path | Sequence[str] | None = ...,
             images: _Path | None = ..., max_pixels: int = ...) -> Dataset: ...

def read_yolo(path: _Path, split: str | None = ..., names: Sequence[str] | None = ...,
              allow_outside: bool = ..., max_pixels: int = ...) -> Dataset: ...

_Placement = Literal["anywhere", "avoid-base", "source-object"]
_MaskFormat = Literal["keep", "polygon", "rle"]
_Fill = Literal["mean", "noise"] | str | tuple[int, int, int]
_Op = Literal["cutmix", "cutout", "mixup", "mosaic", "copypaste"]

def cutmix(a: Sample, b: Sample, seed: int = ..., index: int = ..., *, alpha: float = ...,
           cut_ratio: str | tuple[float, float] | None = ...,
           placement: _Placement = ..., tries: int = ...,
           min_visibility: float = ..., min_area: float = ..., min_size: float = ...,
           mask_format: _MaskFormat = ...,
           source_fit: Literal["resize", "letterbox", "crop"] = ...) -> tuple[Sample, dict[str, Any]]: ...

def cutout(a: Sample, seed: int = ..., index: int = ..., *, holes: int = ..., fill: _Fill = ...,
           alpha: float = ..., cut_ratio: str | tuple[float, float] | None = ...,
           min_visibility: float = ..., min_area: float = ..., min_size: float = ...,
           mask_format: _MaskFormat = ...) -> tuple[Sample, dict[str, Any]]: ...

def mixup(a: Sample, b: Sample, seed: int = ..., index: int = ..., *, mix_alpha: float = ...,
          mix_ratio: float | None = ..., source_fit: Literal["resize", "letterbox"] = ...,
          mask_format: _MaskFormat = ...) -> tuple[Sample, dict[str, Any]]: ...

def mosaic(inputs: Sequence[Sample], seed: int = ..., index: int = ..., *,
           mosaic_size: int = ..., min_visibility: float = ..., min_area: float = ...,
           min_size: float = ..., mask_format: _MaskFormat = ...) -> tuple[Sample, dict[str, Any]]: ...

def copypaste(a: Sample, b: Sample, seed: int = ..., index: int = ..., *, paste_prob: float = ...,
              source_fit: Literal["resize", "letterbox"] = ..., min_visibility: float = ...,
              min_area: float = ..., min_size: float = ...,
              mask_format: _MaskFormat = ...) -> tuple[Sample, dict[str, Any]]: ...

def augment(annotations: _Path | None = ..., images: _Path | None = ..., out: _Path | None = ...,
            *, voc: _Path | None = ..., split: str | None = ..., labels: _Path | None = ...,
            out_format: Literal["coco", "voc"] | None = ..., count: int | None = ...,
            per_image: int | None = ..., seed: int = ..., alpha: float = ...,
            cut_ratio: str | tuple[float, float] | None = ...,
            placement: _Placement = ..., tries: int = ...,
            min_visibility: float = ..., min_area: float = ..., min_size: float = ...,
            mask_format: _MaskFormat = ...,
            format: Literal["jpg", "png"] = ..., quality: int = ..., png_level: int | None = ...,
            include_originals: bool = ..., max_pixels: int = ..., memory_limit: int | str = ...,
            threads: int = ..., dry_run: bool = ..., shard: str | tuple[int, int] | None = ...,
            resume: bool = ..., skip_bad: bool = ..., report: _Path | None = ...,
            force: bool = ...,
            progress: Callable[[int, int], object] | None = ..., op: _Op | None = ...,
            source_fit: Literal["resize", "letterbox", "crop"] = ..., holes: int = ...,
            fill: _Fill = ..., mix_alpha: float = ..., mix_ratio: float | None = ...,
            mosaic_size: int = ..., paste_prob: float = ...,
            recipe: _Path | None = ...) -> dict[str, Any]: ...

def write_coco(samples: Sequence[Sample], out: _Path,
               categories: Sequence[dict[str, Any]] | None = ..., *,
               format: Literal["jpg", "png"] = ..., quality: int = ...) -> int: ...
