"""Stock: on hand per unit and item from the ledger's purchases, sales and voids and the posted stock counts
(``onhand``), the reorder list, slow movers and items sold below cost (``reports``), stock counts (stok
opname) from start to the approved shrinkage entry on the office chain (``counts``), and the shrinkage
report (``shrinkage``). Quantities are exact thousandths (milli-units) as the devices keep them
(``rules``); the money effects are journal entries, the counts' workflow rows live in ``tables``.
"""
