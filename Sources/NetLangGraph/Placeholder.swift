// placeholder: replaced by the graph IR
