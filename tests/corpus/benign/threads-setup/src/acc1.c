#define ACC_NAME _acc1
#define ACC_INIT PyInit__acc1
#include "acc_common.h"
