"""LLM inference sizing engine: VRAM, quantization, parallelism, cost and MoE math.

Pure standard-library Python, so the same code runs in CPython (CLI, build-time prerender,
tests) and in the browser under Pyodide.
"""

__version__ = "0.1.0"
