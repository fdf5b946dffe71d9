// nn: modules, as in torch.nn (imported as a namespace: `nn.Conv2d`).
export { Module, type StateDict } from "./module.js";
export { Conv2d, ConvTranspose2d, LazyConv2d, LazyLinear, Linear } from "./layers.js";
export { AvgPool2d, CrossEntropyLoss, Flatten, MaxPool2d, MSELoss, ReLU, Sequential, Sigmoid, Tanh } from "./simple.js";
