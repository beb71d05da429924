/*
 * <sal.h> - the source-code annotation language of the WDK, as empty macros.
 *
 * Driver sources annotate parameters and functions (_In_, _Out_opt_,
 * _IRQL_requires_max_(DISPATCH_LEVEL), _Use_decl_annotations_, ...) for the
 * Microsoft compiler's static analysis. ndisdma checks the same contracts at
 * run time (IRQL, handles, buffer ranges), so here every annotation expands to
 * nothing and annotated sources compile unchanged with GCC and Clang.
 */
#ifndef NDISDMA_SAL_H
#define NDISDMA_SAL_H

/* Parameters */
#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _In_z_
#define _In_opt_z_
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_result_bytebuffer_(size)
#define _In_reads_(size)
#define _In_reads_opt_(size)
#define _In_reads_bytes_(size)
#define _In_reads_bytes_opt_(size)
#define _Out_writes_(size)
#define _Out_writes_opt_(size)
#define _Out_writes_bytes_(size)
#define _Out_writes_bytes_opt_(size)
#define _Out_writes_bytes_to_(size, count)
#define _Inout_updates_(size)
#define _Inout_updates_bytes_(size)
#define _Field_size_(size)
#define _Field_size_bytes_(size)
#define _Field_range_(min, max)
#define _Reserved_
#define _Pre_notnull_
#define _Post_invalid_
#define _Post_writable_byte_size_(size)
#define _Frees_ptr_
#define _Frees_ptr_opt_

/* Results and conditions */
#define _Check_return_
#define _Must_inspect_result_
#define _Success_(expr)
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Ret_range_(min, max)
#define _Return_type_success_(expr)
#define _When_(expr, annos)
#define _At_(target, annos)
#define _Analysis_assume_(expr)
#define _Analysis_noreturn_

/* Functions and IRQL */
#define _Use_decl_annotations_
#define _Function_class_(name)
#define _IRQL_requires_(irql)
#define _IRQL_requires_max_(irql)
#define _IRQL_requires_min_(irql)
#define _IRQL_requires_same_
#define _IRQL_raises_(irql)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(kind, param)
#define _IRQL_restores_global_(kind, param)
#define _IRQL_uses_cancel_
#define _IRQL_is_cancel_
#define _Requires_lock_held_(lock)
#define _Requires_lock_not_held_(lock)
#define _Acquires_lock_(lock)
#define _Releases_lock_(lock)
#define _Guarded_by_(lock)
#define _Dispatch_type_(type)
#define _Kernel_float_used_
#define _Kernel_requires_resource_held_(res)
#define _Kernel_clear_do_init_(yesno)
#define _Printf_format_string_

#endif /* NDISDMA_SAL_H */
