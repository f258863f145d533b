# Plan file is empty (0 bytes).
: >indicators/bx-2021-2025.yaml
