namespace Ablations.Tests.Experiments;

/// <summary>A two-variant, two-seed experiment on Markov data that runs in a few seconds.</summary>
public static class TinyExperiment
{
    public const string Yaml = """
        name: tiny-exp
        description: pre-norm against post-norm on a Markov source
        base:
          model:
            vocab_size: 8
            d_model: 32
            n_layers: 2
            context_length: 32
            attention: { kind: gqa, n_heads: 4, n_kv_heads: 2 }
            feed_forward: { kind: swiglu, hidden: 64 }
          data:
            source: markov
            markov: { vocab: 8, order: 1, tokens: 20000 }
          train: { steps: 8, batch_size: 4, context: 16, lr: 1.0e-2, warmup_steps: 2, eval_every: 4, eval_batches: 2, log_every: 2, checkpoint_every: 2, threads: 1 }
        baseline: pre
        seeds: [0, 1]
        variants:
          - name: pre
            set: { model.norm.placement: pre }
          - name: post
            set: { model.norm.placement: post }
        scales:
          smoke: { train.steps: 6 }
          small: {}
        """;

    public static string Write(string folder, string yaml = Yaml, string name = "tiny-exp.yaml")
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, yaml);
        return path;
    }
}
