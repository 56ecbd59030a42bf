"""Preparing data for a model: train/test splits and input scaling fitted on the training set."""
