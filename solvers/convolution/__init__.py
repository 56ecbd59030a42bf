"""Discrete convolution s_t = Σ_i a_i b_{t-i} of 1-D or 2-D arrays: direct, Toeplitz and FFT.

>>> convolve([1, 2], [1, 3]).output     # (1 + 2x)(1 + 3x) = 1 + 5x + 6x^2
array([1, 5, 6])
"""

from solverq.solvers.convolution.dispatch import ConvolutionResult, convolve, run
from solverq.solvers.convolution.planning import METHODS, Plan, plan_convolution
from solverq.solvers.convolution.windows import MODES

__all__ = ["METHODS", "MODES", "ConvolutionResult", "Plan", "convolve", "plan_convolution", "run"]
