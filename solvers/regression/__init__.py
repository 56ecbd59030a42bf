"""Linear regression by gradient descent, from plain GD to Adam, with its closed forms."""
