"""Feed-forward neural networks for regression and classification, trained by backpropagation."""
