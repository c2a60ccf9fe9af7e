"""twolayer: a two-layer neural network in plain NumPy, and a playground to watch it learn."""

from .net import Forward, TwoLayerNet

__all__ = ["Forward", "TwoLayerNet"]
