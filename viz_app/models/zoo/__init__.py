"""The MNIST zoo: one model family per module; importing a module registers its models."""
