"""The accelerator table: memory, bandwidth, dense peak compute, power and interconnect.

Conventions:
- memory_bytes is the nominal capacity read as binary (an "80 GB" H100 is 80 GiB of HBM); that is
  how HBM stacks are built and how runtimes report it. usable_memory_bytes is what PyTorch/vLLM see:
  79.22 GiB on an H100 (vLLM log in the reference), i.e. 99.03% of nominal. We apply that measured
  ratio to every GPU; for the others it is an assumption (GDDR cards with ECC on report a little less).
- FLOP/s are DENSE tensor-core peaks (NVIDIA headlines often quote 2:4 sparsity, twice these). None
  means no hardware support: FP8 on an A100 runs weight-only (FP8 storage, BF16 math).
- interconnect_bytes_per_s is per GPU, both directions added (the vendors' headline convention;
  halve it for one direction).
- gpus_per_node is the scale-up domain: 8 for HGX/OAM boards; a GB200 NVL72 rack is one 72-GPU
  NVLink domain, so we model it as a 72-GPU "node".
"""

from dataclasses import dataclass

from .errors import InputError
from .units import GiB

RETRIEVED = "2026-11-28"
USABLE_FRACTION = 79.22 / 80  # H100 80 GiB -> 79.22 GiB seen by vLLM (reference log)


@dataclass(frozen=True)
class Gpu:
    """One accelerator model, with dated sources."""

    id: str
    name: str
    vendor: str
    year: int  # first shipped/announced; breaks recommendation ties
    memory_gib: float
    bandwidth_bytes_per_s: float
    bf16_flops: float
    fp8_flops: float | None
    fp4_flops: float | None
    int8_flops: float | None
    tdp_watts: int
    interconnect: str
    interconnect_bytes_per_s: float  # per GPU, bidirectional
    has_nvlink: bool
    pcie_only: bool
    source: str
    gpus_per_node: int = 8
    datacenter: bool = True  # consumer cards are shown but never picked automatically
    unverified_fields: tuple[str, ...] = ()
    notes: str = ""
    retrieved: str = RETRIEVED

    @property
    def memory_bytes(self) -> float:
        return self.memory_gib * GiB

    @property
    def usable_memory_bytes(self) -> float:
        return self.memory_bytes * USABLE_FRACTION

    @property
    def unverified(self) -> bool:
        return bool(self.unverified_fields)

    def as_dict(self) -> dict:
        """JSON-ready record (the CLI contract)."""
        keys = (
            "id",
            "name",
            "vendor",
            "year",
            "bandwidth_bytes_per_s",
            "bf16_flops",
            "fp8_flops",
            "fp4_flops",
            "int8_flops",
            "tdp_watts",
            "interconnect",
            "interconnect_bytes_per_s",
            "has_nvlink",
            "pcie_only",
            "gpus_per_node",
            "datacenter",
            "unverified",
            "notes",
            "source",
            "retrieved",
        )
        data = {k: getattr(self, k) for k in keys}
        data.update(
            memory_bytes=int(self.memory_bytes),
            usable_memory_bytes=int(self.usable_memory_bytes),
            unverified_fields=list(self.unverified_fields),
        )
        return data


T = 1e12
_NV = "https://www.nvidia.com/en-us/data-center/"
_AMD = "https://www.amd.com/en/products/accelerators/instinct/"
GPUS: tuple[Gpu, ...] = (
    Gpu(
        "a100-40gb",
        "NVIDIA A100 SXM 40GB",
        "NVIDIA",
        2020,
        40,
        1.555 * T,
        312 * T,
        None,
        None,
        624 * T,
        400,
        "NVLink 3",
        600e9,
        True,
        False,
        _NV + "a100/",
        notes="No FP8 tensor cores: FP8 checkpoints run weight-only (FP8 Marlin), at BF16 speed.",
    ),
    Gpu(
        "a100-80gb",
        "NVIDIA A100 SXM 80GB",
        "NVIDIA",
        2020,
        80,
        2.039 * T,
        312 * T,
        None,
        None,
        624 * T,
        400,
        "NVLink 3",
        600e9,
        True,
        False,
        _NV + "a100/",
        notes="No FP8 tensor cores: FP8 checkpoints run weight-only (FP8 Marlin), at BF16 speed.",
    ),
    Gpu(
        "h100-sxm",
        "NVIDIA H100 SXM",
        "NVIDIA",
        2022,
        80,
        3.35 * T,
        989 * T,
        1979 * T,
        None,
        1979 * T,
        700,
        "NVLink 4",
        900e9,
        True,
        False,
        _NV + "h100/",
    ),
    Gpu(
        "h100-pcie",
        "NVIDIA H100 PCIe",
        "NVIDIA",
        2022,
        80,
        2.0 * T,
        756 * T,
        1513 * T,
        None,
        1513 * T,
        350,
        "PCIe 5.0 x16",
        128e9,
        False,
        True,
        _NV + "h100/",
        unverified_fields=("bf16_flops", "fp8_flops", "int8_flops"),
        notes="An optional NVLink bridge pairs two cards; servers otherwise talk over PCIe.",
    ),
    Gpu(
        "h200-sxm",
        "NVIDIA H200 SXM",
        "NVIDIA",
        2024,
        141,
        4.8 * T,
        989 * T,
        1979 * T,
        None,
        1979 * T,
        700,
        "NVLink 4",
        900e9,
        True,
        False,
        _NV + "h200/",
    ),
    Gpu(
        "b200",
        "NVIDIA B200",
        "NVIDIA",
        2024,
        180,
        8.0 * T,
        2250 * T,
        4500 * T,
        9000 * T,
        4500 * T,
        1000,
        "NVLink 5",
        1800e9,
        True,
        False,
        _NV + "dgx-b200/",
        notes="180 GB exposed of 192 GB physical HBM3e; bandwidth is quoted as 7.7-8 TB/s, 8 used here.",
    ),
    Gpu(
        "gb200",
        "NVIDIA GB200 (per GPU, NVL72)",
        "NVIDIA",
        2025,
        186,
        8.0 * T,
        2500 * T,
        5000 * T,
        10000 * T,
        5000 * T,
        1200,
        "NVLink 5 (72-GPU domain)",
        1800e9,
        True,
        False,
        _NV + "gb200-nvl72/",
        gpus_per_node=72,
        notes="A 'node' here is the whole NVL72 rack: one NVLink domain of 72 GPUs.",
    ),
    Gpu(
        "l40s",
        "NVIDIA L40S",
        "NVIDIA",
        2023,
        48,
        0.864 * T,
        362 * T,
        733 * T,
        None,
        733 * T,
        350,
        "PCIe 4.0 x16",
        64e9,
        False,
        True,
        _NV + "l40s/",
        notes="No NVLink: tensor parallelism goes over PCIe.",
    ),
    Gpu(
        "l4",
        "NVIDIA L4",
        "NVIDIA",
        2023,
        24,
        0.300 * T,
        121 * T,
        242.5 * T,
        None,
        242.5 * T,
        72,
        "PCIe 4.0 x16",
        64e9,
        False,
        True,
        _NV + "l4/",
    ),
    Gpu(
        "rtx-4090",
        "NVIDIA GeForce RTX 4090",
        "NVIDIA",
        2022,
        24,
        1.008 * T,
        165 * T,
        330 * T,
        None,
        None,
        450,
        "PCIe 4.0 x16",
        64e9,
        False,
        True,
        "https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4090/",
        datacenter=False,
        notes="Consumer card: FLOP/s with FP32 accumulation; no peer-to-peer over PCIe, so multi-GPU is slow.",
    ),
    Gpu(
        "rtx-pro-6000",
        "NVIDIA RTX PRO 6000 Blackwell",
        "NVIDIA",
        2025,
        96,
        1.792 * T,
        504 * T,
        1008 * T,
        2015 * T,
        None,
        600,
        "PCIe 5.0 x16",
        128e9,
        False,
        True,
        "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-6000/",
    ),
    Gpu(
        "mi300x",
        "AMD Instinct MI300X",
        "AMD",
        2023,
        192,
        5.3 * T,
        1307 * T,
        2615 * T,
        None,
        2615 * T,
        750,
        "Infinity Fabric",
        896e9,
        False,
        False,
        _AMD + "mi300/mi300x.html",
    ),
    Gpu(
        "mi325x",
        "AMD Instinct MI325X",
        "AMD",
        2024,
        256,
        6.0 * T,
        1307 * T,
        2615 * T,
        None,
        2615 * T,
        1000,
        "Infinity Fabric",
        896e9,
        False,
        False,
        _AMD + "mi300/mi325x.html",
        unverified_fields=("interconnect_bytes_per_s",),
        notes="Link bandwidth assumed equal to MI300X.",
    ),
    Gpu(
        "mi355x",
        "AMD Instinct MI355X",
        "AMD",
        2025,
        288,
        8.0 * T,
        2500 * T,
        5000 * T,
        10000 * T,
        None,
        1400,
        "Infinity Fabric",
        1075e9,
        False,
        False,
        _AMD + "mi350/mi355x.html",
        unverified_fields=("bf16_flops", "fp8_flops", "fp4_flops", "interconnect_bytes_per_s"),
        notes="Compute figures are approximate ('~2.5 PF BF16'); 7 links x 153.6 GB/s assumed.",
    ),
    Gpu(
        "gaudi3",
        "Intel Gaudi 3",
        "Intel",
        2024,
        128,
        3.7 * T,
        1835 * T,
        1835 * T,
        None,
        None,
        900,
        "24x 200 GbE (RoCE)",
        1200e9,
        False,
        False,
        "https://www.intel.com/content/www/us/en/products/details/processors/ai-accelerators/gaudi3.html",
        notes="Scale-up over on-chip Ethernet: 24 x 200 Gb/s = 600 GB/s each way; FP8 runs at the BF16 rate.",
    ),
)
_BY_ID = {g.id: g for g in GPUS}


def get_gpu(gpu_id: str) -> Gpu:
    """The GPU for an id, or an InputError listing the valid ids."""
    gpu = _BY_ID.get(str(gpu_id).strip().lower())
    if gpu is None:
        raise InputError(f"unknown GPU {gpu_id!r}; choose one of: {', '.join(_BY_ID)}", "gpu")
    return gpu


def peak_flops(gpu: Gpu, compute: str) -> tuple[float, str]:
    """Dense peak FLOP/s for a math format, falling back to what the GPU can run; returns (flops, used).

    fp8/int8/fp4 fall back to BF16 where the GPU lacks them (weight-only execution). FP4 falls back to
    BF16, not FP8, even on an H100: the kernels engines run there for NVFP4/MXFP4 checkpoints (vLLM's
    FP4 Marlin and gpt-oss MXFP4 paths) dequantize the weights and multiply with BF16 activations, so
    FP4 on Hopper buys bandwidth and memory, never FLOP/s. FP32 weights run on TF32 tensor cores, half
    the BF16 rate on A100/H100/B200 and MI300X datasheets; we apply that to all.
    """
    if compute == "fp32":
        return gpu.bf16_flops / 2, "tf32"
    for fmt in {"fp4": ("fp4", "bf16"), "fp8": ("fp8", "bf16"), "int8": ("int8", "bf16")}.get(compute, ()):
        value = getattr(gpu, f"{fmt}_flops")
        if value:
            return value, fmt
    return gpu.bf16_flops, "bf16"
