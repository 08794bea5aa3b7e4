"""The MNIST zoo: one model family per module; importing a module registers its models.

The families are imported here in the order the window lists them: LeNet-5 first, then by name.
"""

from viz_app.models.zoo import lenet5

# isort: split
from viz_app.models.zoo import alexnet, densenet, googlenet, inception_v3, lenet5_1998, mobilenet, resnet, resnext, sdnn, se_resnet, shufflenet, vgg

__all__ = [
    "alexnet", "densenet", "googlenet", "inception_v3", "lenet5", "lenet5_1998",
    "mobilenet", "resnet", "resnext", "sdnn", "se_resnet", "shufflenet", "vgg",
]
