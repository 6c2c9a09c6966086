from ingestion.allocator import keep_freed_memory

keep_freed_memory()  # before any module of the package loads polars
