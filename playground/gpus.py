"""The accelerator table: memory, bandwidth, dense peak compute, power and interconnect.

Conventions:
- memory_gib is the nominal capacity read as binary (an "80 GB" H100 is 80 GiB of HBM).
  usable_memory_gib is what PyTorch reports as the card's total (torch.cuda.mem_get_info, the
  "total capacity" of its out-of-memory message, vLLM's total_gpu_memory): the driver keeps some, and
  GDDR6 cards with ECC on lose a further 1/16 of their memory to it (an L40S "48 GB" shows 44.52 GiB).
  Each figure names its source in usable_memory_source. Where no report was found the field is listed
  in unverified_fields and the source states the rule used: HBM cards keep the share measured on the
  nearest card of the same memory type (H100: 79.22 of 80 GiB; B200: 178.35 of 180), GDDR cards that
  of a measured card with the same memory.
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
HOPPER_USABLE_FRACTION = 79.22 / 80  # H100 80 GiB -> 79.22 GiB seen by vLLM (reference log)
BLACKWELL_USABLE_FRACTION = 178.35 / 180  # B200 "180 GB" -> 178.35 GiB in PyTorch OOM messages


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
    usable_memory_gib: float = 0.0  # what PyTorch reports as the total (see the module docstring)
    usable_memory_source: str = ""

    def __post_init__(self):
        if not 0 < self.usable_memory_gib <= self.memory_gib:
            raise ValueError(f"{self.id}: usable_memory_gib must be in (0, memory_gib]")  # a catalog bug, not input

    @property
    def memory_bytes(self) -> float:
        return self.memory_gib * GiB

    @property
    def usable_memory_bytes(self) -> float:
        return self.usable_memory_gib * GiB

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
            "usable_memory_gib",
            "usable_memory_source",
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
        usable_memory_gib=39.39,
        usable_memory_source="PyTorch out-of-memory message 'GPU 0 has a total capacity of 39.39 GiB' on "
        "A100-SXM4-40GB nodes (e.g. GCP a2 instances; repeated in many public reports)",
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
        usable_memory_gib=79.15,
        usable_memory_source="PyTorch out-of-memory message 'GPU 0 has a total capacity of 79.15 GiB' on an "
        "A100 80GB (vLLM issue: WizardLM-2-8x22B with --gpu-memory-utilization 0.5, 2024)",
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
        usable_memory_gib=79.22,
        usable_memory_source="vLLM startup log: total_gpu_memory 79.22GiB on H100-80G (vllm PR #12126; "
        "shared/reference/engine-logs.jsonl)",
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
        unverified_fields=("bf16_flops", "fp8_flops", "int8_flops", "usable_memory_gib"),
        notes="An optional NVLink bridge pairs two cards; servers otherwise talk over PCIe.",
        usable_memory_gib=80 * HOPPER_USABLE_FRACTION,
        usable_memory_source="unverified: the H100 SXM's measured share (79.22 of 80 GiB) applied to the same "
        "80 GB of HBM",
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
        usable_memory_gib=139.81,
        usable_memory_source="PyTorch out-of-memory message 'GPU 0 has a total capacity of 139.81 GiB' on 8x "
        "H200 (vLLM bug report serving GLM-5 FP8, 2026)",
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
        usable_memory_gib=178.35,
        usable_memory_source="PyTorch out-of-memory message 'GPU 0 has a total capacity of 178.35 GiB' on B200 "
        "nodes (public training and serving reports, 2026)",
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
        usable_memory_gib=186 * BLACKWELL_USABLE_FRACTION,
        usable_memory_source="unverified: the B200's measured share (178.35 of 180 GiB) applied to 186 GB",
        unverified_fields=("usable_memory_gib",),
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
        usable_memory_gib=44.52,
        usable_memory_source="torch.cuda.get_device_properties on an NVIDIA L40S: total_memory=45589MB (44.52 "
        "GiB), and OOM 'total capacity of 44.52 GiB' (blog 'Understanding GPU utilization "
        "strategies in Kubernetes', 2024-06-11); ECC takes 1/16 of the 48 GB GDDR6 "
        "(nvidia-smi 46068 MiB, modal-labs/modal-client PR #2797)",
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
        usable_memory_gib=22.05,
        usable_memory_source="PyTorch out-of-memory message 'GPU 0 has a total capacity of 22.05 GiB' in vLLM "
        "CI on L4 GPUs (buildkite build 22853, 2025-06-28); nvidia-smi 23034 MiB "
        "(modal-labs/modal-client PR #2797)",
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
        usable_memory_gib=23.52,
        usable_memory_source="PyTorch out-of-memory message 'GPU 0 has a total capacity of 23.52 GiB' on an "
        "RTX 4090 24G (Soul-AILab/SoulX-FlashTalk issue #5, 2026-01-09)",
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
        usable_memory_gib=96 * HOPPER_USABLE_FRACTION,
        usable_memory_source="unverified: GDDR7 without an ECC carve-out assumed; the H100's measured share "
        "(79.22 of 80) applied",
        unverified_fields=("usable_memory_gib",),
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
        usable_memory_gib=192 * HOPPER_USABLE_FRACTION,
        usable_memory_source="unverified: the H100's measured share (79.22 of 80 GiB) applied to 192 GB of HBM3",
        unverified_fields=("usable_memory_gib",),
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
        unverified_fields=("interconnect_bytes_per_s", "usable_memory_gib"),
        notes="Link bandwidth assumed equal to MI300X.",
        usable_memory_gib=256 * HOPPER_USABLE_FRACTION,
        usable_memory_source="unverified: the H100's measured share (79.22 of 80 GiB) applied to 256 GB of HBM3E",
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
        unverified_fields=("bf16_flops", "fp8_flops", "fp4_flops", "interconnect_bytes_per_s", "usable_memory_gib"),
        notes="Compute figures are approximate ('~2.5 PF BF16'); 7 links x 153.6 GB/s assumed.",
        usable_memory_gib=288 * BLACKWELL_USABLE_FRACTION,
        usable_memory_source="unverified: the B200's measured share (178.35 of 180 GiB) applied to 288 GB of HBM3E",
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
        usable_memory_gib=128 * HOPPER_USABLE_FRACTION,
        usable_memory_source="unverified: the H100's measured share (79.22 of 80 GiB) applied to 128 GB of HBM2e",
        unverified_fields=("usable_memory_gib",),
    ),
    Gpu(
        "b300",
        "NVIDIA B300 (HGX)",
        "NVIDIA",
        2025,
        288,
        8.0 * T,
        2250 * T,
        4500 * T,
        13500 * T,
        None,
        1100,
        "NVLink 5",
        1800e9,
        True,
        False,
        _NV + "hgx/",
        unverified_fields=("fp4_flops", "tdp_watts", "usable_memory_gib"),
        notes="Blackwell Ultra. Per GPU from the HGX B300 datasheet (8 GPUs): FP4 108 PFLOPS dense (144 sparse), "
        "FP8 and BF16 as B200. INT8 is mostly dropped on Blackwell Ultra, so INT8 runs at the BF16 rate here.",
        usable_memory_gib=288 * BLACKWELL_USABLE_FRACTION,
        usable_memory_source="unverified: the B200's measured share (178.35 of 180 GiB) applied to 288 GB of HBM3E",
    ),
    Gpu(
        "gb300",
        "NVIDIA GB300 (per GPU, NVL72)",
        "NVIDIA",
        2025,
        288,
        8.0 * T,
        2500 * T,
        5000 * T,
        15000 * T,
        None,
        1400,
        "NVLink 5 (72-GPU domain)",
        1800e9,
        True,
        False,
        _NV + "gb300-nvl72/",
        gpus_per_node=72,
        unverified_fields=("tdp_watts", "usable_memory_gib"),
        notes="Per GPU of the GB300 NVL72 rack datasheet (72 GPUs): FP4 1,080 PFLOPS dense (1,440 sparse), FP8 "
        "720 and BF16 360 PFLOPS sparse (halved here); up to 21 TB HBM3E and 576 TB/s per rack. A 'node' is the rack.",
        usable_memory_gib=288 * BLACKWELL_USABLE_FRACTION,
        usable_memory_source="unverified: the B200's measured share (178.35 of 180 GiB) applied to 288 GB of HBM3E",
    ),
    Gpu(
        "gh200",
        "NVIDIA GH200 Grace Hopper (96 GB)",
        "NVIDIA",
        2023,
        96,
        4.0 * T,
        989 * T,
        1979 * T,
        None,
        1979 * T,
        1000,
        "NVLink 4",
        900e9,
        True,
        False,
        _NV + "grace-hopper-superchip/",
        unverified_fields=("usable_memory_gib",),
        notes="The Hopper GPU of a Grace Hopper superchip: H100 compute with 96 GB HBM3 at 4 TB/s (a 144 GB HBM3E "
        "version runs at 4.9 TB/s), plus NVLink-C2C at 900 GB/s to the Grace CPU's LPDDR5X. TDP is the whole "
        "superchip's (configurable 450-1000 W).",
        usable_memory_gib=96 * HOPPER_USABLE_FRACTION,
        usable_memory_source="unverified: the H100's measured share (79.22 of 80 GiB) applied to 96 GB of HBM3",
    ),
    Gpu(
        "h20",
        "NVIDIA H20",
        "NVIDIA",
        2024,
        96,
        4.0 * T,
        148 * T,
        296 * T,
        None,
        296 * T,
        400,
        "NVLink 4",
        900e9,
        True,
        False,
        "https://willitrunai.com/es/gpus/h20-96gb",
        unverified_fields=("bf16_flops", "fp8_flops", "int8_flops", "tdp_watts", "usable_memory_gib"),
        notes="No public NVIDIA datasheet: figures from a secondary spec page (96 GB HBM3, 4 TB/s, 148 TFLOPS FP16, "
        "296 INT8, 400 W, NVLink 900 GB/s); FP8 assumed equal to INT8. China-market Hopper: about 15% of the "
        "H100's tensor throughput, so it "
        "decodes well and prefills slowly.",
        usable_memory_gib=96 * HOPPER_USABLE_FRACTION,
        usable_memory_source="unverified: the H100's measured share (79.22 of 80 GiB) applied to 96 GB of HBM3",
    ),
    Gpu(
        "h800",
        "NVIDIA H800 SXM",
        "NVIDIA",
        2023,
        80,
        3.35 * T,
        989 * T,
        1979 * T,
        None,
        1979 * T,
        700,
        "NVLink 4 (400 GB/s)",
        400e9,
        True,
        False,
        _NV + "h100/",
        unverified_fields=("bandwidth_bytes_per_s", "bf16_flops", "fp8_flops", "int8_flops", "usable_memory_gib"),
        notes="China-market H100 SXM: the same chip and HBM3 with NVLink cut to 400 GB/s; compute and bandwidth "
        "taken as the H100 SXM's.",
        usable_memory_gib=79.22,
        usable_memory_source="unverified: the H100 SXM's measured 79.22 GiB (same 80 GB of HBM3)",
    ),
    Gpu(
        "a100-pcie",
        "NVIDIA A100 PCIe 80GB",
        "NVIDIA",
        2021,
        80,
        1.935 * T,
        312 * T,
        None,
        None,
        624 * T,
        300,
        "PCIe 4.0 x16",
        64e9,
        False,
        True,
        _NV + "a100/",
        unverified_fields=("usable_memory_gib",),
        notes="No FP8 tensor cores. An optional NVLink bridge pairs two cards (600 GB/s); servers otherwise use PCIe.",
        usable_memory_gib=79.15,
        usable_memory_source="unverified: the A100 SXM 80GB's measured 79.15 GiB (same 80 GB of HBM2e)",
    ),
    Gpu(
        "a40",
        "NVIDIA A40",
        "NVIDIA",
        2020,
        48,
        0.696 * T,
        149.7 * T,
        None,
        None,
        299.3 * T,
        300,
        "PCIe 4.0 x16",
        64e9,
        False,
        True,
        _NV + "a40/",
        unverified_fields=("usable_memory_gib",),
        notes="Ampere with 48 GB GDDR6 (ECC on by default); no FP8. An NVLink bridge pairs two cards at 112.5 GB/s.",
        usable_memory_gib=44.52,
        usable_memory_source="unverified: the L40S's measured 44.52 GiB (same 48 GB of GDDR6 with ECC; public A40 "
        "reports show 44.35-44.42 GiB)",
    ),
    Gpu(
        "rtx-6000-ada",
        "NVIDIA RTX 6000 Ada Generation",
        "NVIDIA",
        2022,
        48,
        0.960 * T,
        364.2 * T,
        728.5 * T,
        None,
        728.5 * T,
        300,
        "PCIe 4.0 x16",
        64e9,
        False,
        True,
        "https://www.nvidia.com/en-us/products/workstations/rtx-6000/",
        unverified_fields=("bf16_flops", "fp8_flops", "int8_flops", "usable_memory_gib"),
        notes="Workstation Ada (the L40S's chip at 300 W): dense figures are half the datasheet's sparse 1,457 "
        "TFLOPS FP8.",
        usable_memory_gib=44.52,
        usable_memory_source="unverified: the L40S's measured 44.52 GiB (same 48 GB of GDDR6 with ECC)",
    ),
    Gpu(
        "rtx-5090",
        "NVIDIA GeForce RTX 5090",
        "NVIDIA",
        2025,
        32,
        1.792 * T,
        209.5 * T,
        419 * T,
        1676 * T,
        None,
        575,
        "PCIe 5.0 x16",
        128e9,
        False,
        True,
        "https://www.nvidia.com/en-us/geforce/graphics-cards/50-series/rtx-5090/",
        datacenter=False,
        unverified_fields=("bf16_flops", "fp8_flops", "fp4_flops"),
        notes="Consumer Blackwell, 32 GB GDDR7. Dense FLOP/s with FP32 accumulation from the RTX Blackwell "
        "architecture whitepaper; FP4 is half the 3,352 'AI TOPS' (sparse) headline. No peer-to-peer over PCIe.",
        usable_memory_gib=33_677_180_928 / GiB,
        usable_memory_source="CUDA deviceQuery on an RTX 5090: 'Total amount of global memory: 32117 MBytes "
        "(33677180928 bytes)' (aikitoria/open-gpu-kernel-modules issue #1)",
    ),
    Gpu(
        "rtx-3090",
        "NVIDIA GeForce RTX 3090",
        "NVIDIA",
        2020,
        24,
        0.936 * T,
        71 * T,
        None,
        None,
        284 * T,
        350,
        "PCIe 4.0 x16",
        64e9,
        False,
        True,
        "https://www.nvidia.com/en-us/geforce/graphics-cards/30-series/rtx-3090-3090ti/",
        datacenter=False,
        unverified_fields=("bf16_flops", "int8_flops"),
        notes="Consumer Ampere, 24 GB GDDR6X; no FP8. Dense FLOP/s with FP32 accumulation (GA102 whitepaper: 71 "
        "FP16/BF16, 142 with sparsity). An NVLink bridge pairs two cards.",
        usable_memory_gib=23.58,
        usable_memory_source="vLLM log: total_gpu_memory=23.58GiB on an RTX 3090 (vllm-project/vllm issue #10517)",
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
