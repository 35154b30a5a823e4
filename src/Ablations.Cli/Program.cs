using static TorchSharp.torch;
var a = randn(3, 3);
Console.WriteLine(a.matmul(a).sum().item<float>());
